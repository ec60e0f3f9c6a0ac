/**
 * One store change as watchers see it. The new and previous objects are
 * parsed lazily, at most once, and only if some watcher needs them (a
 * selector or a Table encoder); each wire line (`{"type":…,"object":…}\n`)
 * is built at most once per event type and served group-version, however
 * many watchers send it. A line for the stored group-version is spliced
 * from the stored string itself (resourceVersion injected), so a plain
 * watcher costs no JSON.parse or JSON.stringify at all: on a busy server
 * those were a tenth of the CPU.
 * Watchers only read these objects; nothing may mutate them.
 */
import type { KubeObject } from '../../api/meta.js';
import { apiVersionOf } from '../../api/meta.js';
import type { ResolvedResource, ResourceEntry } from '../../api/resource-table.js';
import type { StoreEvent } from '../../storage/store.js';
import { decodeStored, toServed } from '../rest/codec.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export class CacheEvent {
  readonly key: string;
  readonly revision: number;
  /** The stored string of the new state; undefined for a deletion. */
  readonly value: string | undefined;
  /** The stored string of the previous state, if the key existed. */
  readonly prevValue: string | undefined;
  /** Serialized lines by `<group>/<version>|<type>`, as text and UTF-8 encoded (once a socket needs it). */
  readonly lines = new Map<string, { text: string; bytes?: Buffer }>();
  private decodedObject: KubeObject | undefined;
  private decodedPrev: KubeObject | undefined;

  constructor(key: string, revision: number, value: string | undefined, prevValue: string | undefined) {
    this.key = key;
    this.revision = revision;
    this.value = value;
    this.prevValue = prevValue;
  }

  get hasObject(): boolean {
    return this.value !== undefined;
  }

  get hasPrev(): boolean {
    return this.prevValue !== undefined;
  }

  /** The new state (stored form, resourceVersion = this revision); absent for a deletion. */
  get object(): KubeObject | undefined {
    if (this.decodedObject === undefined && this.value !== undefined) this.decodedObject = decodeStored(this.value, this.revision);
    return this.decodedObject;
  }

  /** The previous state, if the key existed, at this event's revision. */
  get prev(): KubeObject | undefined {
    if (this.decodedPrev === undefined && this.prevValue !== undefined) this.decodedPrev = decodeStored(this.prevValue, this.revision);
    return this.decodedPrev;
  }
}

export function cacheEventFromStore(ev: StoreEvent): CacheEvent {
  const prevValue = ev.type === 'delete' ? ev.value : ev.prevValue;
  return new CacheEvent(ev.key, ev.revision, ev.type === 'put' ? ev.value : undefined, prevValue);
}

/** How encodeForStorage starts every stored string of an entry, built once per entry (this runs per event). */
const heads = new WeakMap<ResourceEntry, string>();
function storedHead(entry: ResourceEntry): string {
  let head = heads.get(entry);
  if (head === undefined) {
    head = `{"apiVersion":${JSON.stringify(apiVersionOf(entry.group, entry.version))},"kind":${JSON.stringify(entry.kind)},"metadata":{`;
    heads.set(entry, head);
  }
  return head;
}

/**
 * The served JSON of a stored string with its resourceVersion injected, or
 * undefined when the string cannot be spliced safely (another served
 * version, an alias, or a layout encodeForStorage did not write).
 */
export function splicedObject(value: string, revision: number, resolved: ResolvedResource): string | undefined {
  const entry = resolved.entry;
  if (resolved.alias || resolved.group !== entry.group || resolved.version !== entry.version) return undefined;
  const head = storedHead(entry);
  // Stored strings never carry a resourceVersion of their own; one that
  // mentions the word anywhere (an Event's involvedObject) takes the slow path.
  if (!value.startsWith(head) || value.includes('"resourceVersion"')) return undefined;
  const rv = `"resourceVersion":"${revision}"`;
  return `${head}${rv}${value.charCodeAt(head.length) === 125 /* } */ ? '' : ','}${value.slice(head.length)}`;
}

function line(ev: CacheEvent, resolved: ResolvedResource, type: WatchEventType): { text: string; bytes?: Buffer } {
  const k = `${resolved.group}/${resolved.version}|${type}`;
  let l = ev.lines.get(k);
  if (l === undefined) {
    const deleted = type === 'DELETED';
    const raw = deleted ? (ev.prevValue ?? ev.value) : ev.value;
    let json = raw === undefined ? undefined : splicedObject(raw, ev.revision, resolved);
    if (json === undefined) {
      const obj = deleted ? (ev.prev ?? ev.object) : ev.object;
      const source = resolved.alias ? structuredClone(obj as KubeObject) : (obj as KubeObject);
      json = JSON.stringify(toServed(resolved, source));
    }
    l = { text: `{"type":"${type}","object":${json}}\n` };
    ev.lines.set(k, l);
  }
  return l;
}

/**
 * The wire line of an event, serialized and UTF-8 encoded once per type and
 * served version: with a string, every watcher's write would encode it
 * again (measured: 5 % of a busy server's CPU went to that alone).
 */
export function eventLine(ev: CacheEvent, resolved: ResolvedResource, type: WatchEventType): Buffer {
  const l = line(ev, resolved, type);
  l.bytes ??= Buffer.from(l.text);
  return l.bytes;
}

/** The same line as text, for in-process watchers (no bytes at all). */
export function eventText(ev: CacheEvent, resolved: ResolvedResource, type: WatchEventType): string {
  return line(ev, resolved, type).text;
}

/** A line for an object outside the event stream (initial ADDED events). */
export function objectLine(resolved: ResolvedResource, type: WatchEventType, stored: KubeObject): string {
  return `{"type":"${type}","object":${JSON.stringify(toServed(resolved, stored))}}\n`;
}
