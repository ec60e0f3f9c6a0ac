/**
 * The resource table: one entry per served resource, and everything that is
 * generic about a resource derives from its entry — routes, discovery,
 * defaults, validation, field selectors, storage keys, the scale
 * subresource, and (as later issues land) OpenAPI, merge keys, protobuf
 * field numbers and printer columns.
 *
 * A new resource is a new entry (control-plane/api/resources/<name>.ts),
 * registered in resources/index.ts; runtime registration serves
 * CustomResourceDefinitions later. Entries without `storagePrefix` are
 * virtual (reviews, metrics): served but never stored.
 */
import type { FieldError } from './field-errors.js';
import type { KubeObject } from './meta.js';
import type { Printer } from './printers/printer.js';

export type Verb = 'create' | 'get' | 'list' | 'watch' | 'update' | 'patch' | 'delete' | 'deletecollection';

export const ALL_VERBS: readonly Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** How the scale subresource reads and writes replicas of this kind. */
export interface ScaleAccess {
  specReplicas(obj: KubeObject): number;
  statusReplicas(obj: KubeObject): number;
  /** Label selector in string form (`app=nginx`), as Scale.status.selector. */
  selector(obj: KubeObject): string;
  setReplicas(obj: KubeObject, replicas: number): void;
}

/**
 * A further group-version a stored resource is served under, with
 * conversion to and from the storage version (events.k8s.io/v1 events are
 * core/v1 events in storage).
 */
export interface AlsoServedAs {
  group: string;
  version: string;
  kind: string;
  shortNames?: string[];
  categories?: string[];
  /** Stored (entry's own version) object → this version. */
  fromStorage(obj: KubeObject): KubeObject;
  /** This version → stored form. */
  toStorage(obj: KubeObject): KubeObject;
  /** Field-selector names of this version, mapped to the stored form's names. */
  fieldSelectorAliases?: Record<string, string>;
}

/** How a delete of this kind proceeds. */
export interface DeletionDecision {
  /** true: set deletionTimestamp and keep the object; false: remove at once (finalizers permitting). */
  graceful: boolean;
  gracePeriodSeconds?: number;
}

/** Who is asking, for virtual entries that answer about the caller (reviews). */
export interface Requester {
  name: string;
  uid?: string;
  groups: string[];
}

/**
 * Handlers of a virtual entry (no storagePrefix): reviews answer a create
 * with the object's status filled in and store nothing; metrics answer get
 * and list from live readings. A verb without a handler answers 405.
 */
export interface VirtualHandlers {
  create?(obj: KubeObject, requester: Requester): KubeObject | Promise<KubeObject>;
  get?(namespace: string, name: string): KubeObject | Promise<KubeObject>;
  /** namespace '' lists across namespaces; labelSelector is the request's, unparsed. */
  list?(namespace: string, opts: { labelSelector?: string }): KubeObject[] | Promise<KubeObject[]>;
}

export interface ResourceEntry {
  group: string;
  version: string;
  /** Plural, lower case: `pods`. */
  resource: string;
  /** `pod`. */
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Verbs on the main resource; ALL_VERBS when absent. */
  verbs?: readonly Verb[];

  /** Storage key prefix, ending in `/` (`/registry/pods/`). Absent: a virtual entry. */
  storagePrefix?: string;

  /** How a virtual entry (no storagePrefix) answers its verbs. */
  virtual?: VirtualHandlers;

  /** Named subresources this entry serves. */
  subresources?: {
    /** `status`: writes to it change only `.status`; writes to the main resource never do. */
    status?: boolean;
    scale?: ScaleAccess;
    /**
     * Further subresources the apiserver implements by name, e.g. `binding`,
     * `eviction`, `log`, `exec`, `attach`, `portforward`, `proxy`.
     */
    others?: string[];
  };

  alsoServedAs?: AlsoServedAs[];

  /**
   * Which top-level fields count for `metadata.generation`: it is bumped
   * when any of them changes. Absent: every top-level field except
   * apiVersion, kind, metadata and status. Empty: the kind has no generation.
   */
  specFields?: string[];

  /**
   * Kind-specific server-set fields, as upstream's strategy PrepareForCreate
   * and PrepareForUpdate (after the generic metadata rules). beforeUpdate
   * runs for writes of the main resource only, not its subresources.
   */
  beforeCreate?(obj: KubeObject): void;
  beforeUpdate?(obj: KubeObject, old: KubeObject): void;

  /** Upstream defaulting; mutates in place. Runs on create and update. */
  defaults?(obj: KubeObject): void;

  /**
   * Validation of the whole object. `old` is set on update, for immutable
   * fields and transitions. Return an empty list when valid. Paths are
   * upstream's (`spec.containers[0].image`).
   */
  validate?(obj: KubeObject, old?: KubeObject): FieldError[];

  /**
   * Extra field-selector fields (`spec.nodeName`), each mapped to the string
   * value the selector compares. `metadata.name` and `metadata.namespace`
   * are always selectable.
   */
  fieldSelectors?: Record<string, (obj: KubeObject) => string>;

  /**
   * Kind-specific deletion (pods: bound and running pods are deleted
   * gracefully). Absent: immediate, finalizers permitting.
   */
  deletion?(obj: KubeObject, requestedGraceSeconds: number | undefined): DeletionDecision;

  /**
   * Normalises the object before storing, e.g. Secret stringData merged
   * into data, quantities in canonical form. Runs after defaults.
   */
  normalize?(obj: KubeObject): void;

  /**
   * Server-side Table columns and cells (`kubectl get`), as upstream's
   * printer for the kind. Absent: the default NAME / CREATED AT table.
   * Printers print the stored form of an object.
   */
  printer?: Printer;
}

export function entryVerbs(e: ResourceEntry): readonly Verb[] {
  return e.verbs ?? ALL_VERBS;
}

export function listKindOf(kind: string): string {
  return `${kind}List`;
}

/** A group-version-resource's place in the table, as a route resolves it. */
export interface ResolvedResource {
  entry: ResourceEntry;
  /** Non-null when served under a further group-version (conversion needed). */
  alias?: AlsoServedAs;
  group: string;
  version: string;
  kind: string;
}

type Listener = (entry: ResourceEntry) => void;

/**
 * The table itself. Group order is registration order, core first: it is
 * the priority kubectl uses for ambiguous short names.
 */
export class ResourceTable {
  private readonly byGvr = new Map<string, ResolvedResource>();
  private readonly ordered: ResourceEntry[] = [];
  private readonly listeners: Listener[] = [];

  register(entry: ResourceEntry): void {
    const key = gvrKey(entry.group, entry.version, entry.resource);
    if (this.byGvr.has(key)) throw new Error(`resource ${key} registered twice`);
    this.byGvr.set(key, { entry, group: entry.group, version: entry.version, kind: entry.kind });
    for (const alias of entry.alsoServedAs ?? []) {
      this.byGvr.set(gvrKey(alias.group, alias.version, entry.resource), {
        entry,
        alias,
        group: alias.group,
        version: alias.version,
        kind: alias.kind,
      });
    }
    this.ordered.push(entry);
    for (const l of this.listeners) l(entry);
  }

  /** Called for every entry registered after subscription (discovery caches). */
  onRegister(listener: Listener): void {
    this.listeners.push(listener);
  }

  resolve(group: string, version: string, resource: string): ResolvedResource | undefined {
    return this.byGvr.get(gvrKey(group, version, resource));
  }

  /** Every served group-version-resource, in registration order. */
  served(): ResolvedResource[] {
    return [...this.byGvr.values()];
  }

  entries(): readonly ResourceEntry[] {
    return this.ordered;
  }

  /** Groups with their versions, in registration order (core group is ''). */
  groups(): { group: string; versions: string[] }[] {
    const out = new Map<string, string[]>();
    for (const r of this.byGvr.values()) {
      const vs = out.get(r.group) ?? [];
      if (!vs.includes(r.version)) vs.push(r.version);
      out.set(r.group, vs);
    }
    return [...out.entries()].map(([group, versions]) => ({ group, versions }));
  }

  /** Finds the entry storing a kind (`Pod`) in a group, e.g. for ownerReferences. */
  byKind(group: string, kind: string): ResourceEntry | undefined {
    return this.ordered.find((e) => e.group === group && e.kind === kind);
  }
}

function gvrKey(group: string, version: string, resource: string): string {
  return `${group}/${version}/${resource}`;
}
