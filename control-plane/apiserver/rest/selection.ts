/**
 * Label and field selectors of a list or watch request, compiled for one
 * served resource. Field names are those of the served group-version
 * (aliases map to stored names); objects are matched in stored form.
 * Bad selectors and unsupported fields answer 400 as upstream.
 */
import { badRequest } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import type { ResolvedResource } from '../../api/resource-table.js';
import { FieldSelectorError, matchesFields, parseFieldSelector, type FieldRequirement } from '../../api/selectors/field-selector.js';
import { LabelSelectorError, matchesLabels, parseLabelSelector, type LabelRequirement } from '../../api/selectors/label-selector.js';

export interface Selection {
  readonly empty: boolean;
  matches(obj: KubeObject): boolean;
}

export const everything: Selection = { empty: true, matches: () => true };

function getter(resolved: ResolvedResource, field: string): (obj: KubeObject) => string {
  const storedName = resolved.alias?.fieldSelectorAliases?.[field] ?? field;
  if (storedName === 'metadata.name') return (o) => o.metadata.name ?? '';
  if (storedName === 'metadata.namespace') return (o) => o.metadata.namespace ?? '';
  const f = resolved.entry.fieldSelectors?.[storedName];
  if (!f) throw badRequest(`field label not supported: ${field}`);
  return f;
}

export function compileSelection(resolved: ResolvedResource, labelSelector?: string, fieldSelector?: string): Selection {
  let labels: LabelRequirement[];
  let fields: FieldRequirement[];
  try {
    labels = parseLabelSelector(labelSelector ?? '');
  } catch (e) {
    if (e instanceof LabelSelectorError) throw badRequest(`unable to parse labelSelector ${JSON.stringify(labelSelector)}: ${e.message}`);
    throw e;
  }
  try {
    fields = parseFieldSelector(fieldSelector ?? '');
  } catch (e) {
    if (e instanceof FieldSelectorError) throw badRequest(e.message);
    throw e;
  }
  if (labels.length === 0 && fields.length === 0) return everything;
  const getters = new Map(fields.map((r) => [r.field, getter(resolved, r.field)]));
  return {
    empty: false,
    matches: (obj) =>
      matchesLabels(labels, obj.metadata.labels) && matchesFields(fields, (f) => (getters.get(f) as (o: KubeObject) => string)(obj)),
  };
}
