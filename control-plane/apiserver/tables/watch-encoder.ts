/**
 * Watch events in a negotiated form, one encoder per watch: with a Table
 * Accept each event's object is a Table holding that object's one row; the
 * first event carries columnDefinitions and later ones leave them null (as
 * upstream's watchEmbeddedEncoder sets NoHeaders after the first), so
 * `kubectl get -w` prints rows under the header it printed for the list.
 * PartialObjectMetadata watches send each object's metadata. Objects arrive
 * in stored form and are served through the request's group-version.
 */
import type { Clock, KubeObject } from '../../api/meta.js';
import type { ResolvedResource } from '../../api/resource-table.js';
import { toServed } from '../rest/codec.js';
import { buildTable, partialObjectMetadata, printerFor } from './build-table.js';
import { contentTypeOf, notAcceptable, type OutputForm } from './negotiate.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchObjectEncoder {
  contentType: string;
  /** The wire line of one event about a stored-form object. */
  line(type: WatchEventType, stored: KubeObject): string;
}

/** An encoder for a non-plain form; undefined for plain JSON (the shared, cached lines apply). */
export function watchObjectEncoder(form: OutputForm, resolved: ResolvedResource, clock: Clock): WatchObjectEncoder | undefined {
  if (form.as === 'json') return undefined;
  if (form.as === 'PartialObjectMetadataList') throw notAcceptable('you requested PartialObjectMetadataList, but the requested object is not a list');
  const contentType = contentTypeOf(form);
  if (form.as === 'PartialObjectMetadata') {
    const version = form.version;
    return {
      contentType,
      line: (type, stored) => `{"type":"${type}","object":${JSON.stringify(partialObjectMetadata(stored, version))}}\n`,
    };
  }
  const printer = printerFor(resolved, undefined);
  const { version, includeObject } = form;
  let headersSent = false;
  return {
    contentType,
    line(type, stored) {
      const served = toServed(resolved, resolved.alias ? structuredClone(stored) : stored);
      const rv = stored.metadata.resourceVersion;
      const table = buildTable(printer, [{ served, stored }], rv === undefined ? {} : { resourceVersion: rv }, { version, includeObject, noHeaders: headersSent }, clock.now());
      headersSent = true;
      return `{"type":"${type}","object":${JSON.stringify(table)}}\n`;
    },
  };
}
