/**
 * core/v1 events, also served as events.k8s.io/v1 events. Storage holds
 * the core form; the alias converts as upstream's
 * pkg/apis/events/v1/conversion.go: involvedObject↔regarding,
 * message↔note, source↔deprecatedSource, firstTimestamp/lastTimestamp/count
 * ↔ deprecatedFirstTimestamp/deprecatedLastTimestamp/deprecatedCount,
 * reportingComponent↔reportingController; the rest carries over by name.
 */
import { invalidValue, notSupported, required, type FieldError } from '../field-errors.js';
import type { KubeObject } from '../meta.js';
import type { AlsoServedAs, ResourceEntry } from '../resource-table.js';
import { nameIsDNSSubdomain } from '../validation.js';
import { clone, fieldString, rec, str, type Obj } from './fields.js';
import { withMeta } from './object-meta.js';

export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** core/v1 Event (storage form). */
export interface CoreEvent extends KubeObject {
  involvedObject?: ObjectReference;
  reason?: string;
  message?: string;
  source?: { component?: string; host?: string };
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  count?: number;
  type?: string;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
  action?: string;
  related?: ObjectReference;
  reportingComponent?: string;
  reportingInstance?: string;
}

/** events.k8s.io/v1 Event. */
export interface EventsV1Event extends KubeObject {
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
  reportingController?: string;
  reportingInstance?: string;
  action?: string;
  reason?: string;
  regarding?: ObjectReference;
  related?: ObjectReference;
  note?: string;
  type?: string;
  deprecatedSource?: { component?: string; host?: string };
  deprecatedFirstTimestamp?: string | null;
  deprecatedLastTimestamp?: string | null;
  deprecatedCount?: number;
}

/** core field ↔ events.k8s.io/v1 field, for the renamed ones. */
const RENAMES: [core: string, v1: string][] = [
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
  ['reportingComponent', 'reportingController'],
];
/** Fields with the same name in both versions. */
const SHARED = ['metadata', 'reason', 'type', 'eventTime', 'series', 'action', 'related', 'reportingInstance'];

function convert(obj: Obj, pairs: [from: string, to: string][], apiVersion: string): KubeObject {
  const src = clone(obj);
  const out: KubeObject = { apiVersion, kind: 'Event', metadata: rec(src.metadata) ?? {} };
  for (const f of SHARED) if (f !== 'metadata' && src[f] !== undefined) out[f] = src[f];
  for (const [from, to] of pairs) if (src[from] !== undefined) out[to] = src[from];
  return out;
}

export function coreEventToEventsV1(obj: KubeObject): KubeObject {
  return convert(obj, RENAMES, 'events.k8s.io/v1');
}

export function eventsV1ToCoreEvent(obj: KubeObject): KubeObject {
  return convert(obj, RENAMES.map(([c, v]) => [v, c]), 'v1');
}

const OBJECT_REF_FIELDS = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'];

export const eventsV1Alias: AlsoServedAs = {
  group: 'events.k8s.io',
  version: 'v1',
  kind: 'Event',
  shortNames: ['ev'],
  fromStorage: coreEventToEventsV1,
  toStorage: eventsV1ToCoreEvent,
  fieldSelectorAliases: {
    ...Object.fromEntries(OBJECT_REF_FIELDS.map((f) => [`regarding.${f}`, `involvedObject.${f}`])),
    reportingController: 'reportingComponent',
    reason: 'reason',
    type: 'type',
  },
};

const EVENT_TYPES = ['Normal', 'Warning'];

/** Upstream's ValidateEventCreate/Update for the core form. */
function validateEvent(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const ns = obj.metadata.namespace ?? '';
  const io = rec(obj.involvedObject) ?? {};
  const ioNs = str(io.namespace) ?? '';
  if (!obj.eventTime) {
    // Old-style events: a cluster-scoped subject's event lives in "default" (or no namespace).
    const ok = ioNs ? ioNs === ns : ns === '' || ns === 'default';
    if (!ok) errs.push(invalidValue('involvedObject.namespace', ioNs, 'does not match event.namespace'));
    return errs;
  }
  if (ioNs && ioNs !== ns) errs.push(invalidValue('involvedObject.namespace', ioNs, 'does not match event.namespace'));
  if (!str(obj.reportingComponent)) errs.push(required('reportingController'));
  if (!str(obj.reportingInstance)) errs.push(required('reportingInstance'));
  if (!str(obj.action)) errs.push(required('action'));
  if (!str(obj.reason)) errs.push(required('reason'));
  const type = str(obj.type) ?? '';
  if (!EVENT_TYPES.includes(type)) errs.push(notSupported('type', type, EVENT_TYPES));
  return errs;
}

export const events: ResourceEntry = {
  group: '',
  version: 'v1',
  resource: 'events',
  singular: 'event',
  kind: 'Event',
  namespaced: true,
  shortNames: ['ev'],
  storagePrefix: '/registry/events/',
  specFields: [],
  alsoServedAs: [eventsV1Alias],
  validate: withMeta({ namespaced: true, name: nameIsDNSSubdomain }, (obj) => validateEvent(obj)),
  fieldSelectors: {
    ...Object.fromEntries(OBJECT_REF_FIELDS.map((f) => [`involvedObject.${f}`, (o: KubeObject) => fieldString(o, `involvedObject.${f}`)])),
    reason: (o) => fieldString(o, 'reason'),
    reportingComponent: (o) => fieldString(o, 'reportingComponent'),
    source: (o) => fieldString(o, 'source.component'),
    type: (o) => fieldString(o, 'type'),
  },
};
