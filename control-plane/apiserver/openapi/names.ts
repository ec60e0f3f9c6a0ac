/**
 * Naming rules shared by the OpenAPI generator and field validation:
 * upstream's definition names (`io.k8s.api.core.v1.Pod` for the protobuf
 * message `k8s.io.api.core.v1.Pod`), operationId parts
 * (`CoreV1`, `AppsV1`, `RbacAuthorizationV1`), the v3 document key of a
 * group-version (`api/v1`, `apis/apps/v1`) and which messages carry
 * apiVersion and kind (TypeMeta is not part of the .proto messages).
 */
import type { MessageDef, SchemaGraph } from '../../api/schema/schema-types.js';
import { protoPackageOf } from '../../api/schema/schema-types.js';

/** `k8s.io.api.core.v1.Pod` → `io.k8s.api.core.v1.Pod`, as upstream names definitions. */
export function definitionName(messageName: string): string {
  return messageName.startsWith('k8s.io.') ? `io.k8s.${messageName.slice('k8s.io.'.length)}` : messageName;
}

/** The definition name of a kind served at a group-version. */
export function kindDefinitionName(group: string, version: string, kind: string): string {
  return definitionName(`${protoPackageOf(group, version)}.${kind}`);
}

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** Well-known message names used by operations. */
export const META_MESSAGES = {
  objectMeta: `${META}.ObjectMeta`,
  listMeta: `${META}.ListMeta`,
  status: `${META}.Status`,
  deleteOptions: `${META}.DeleteOptions`,
  watchEvent: `${META}.WatchEvent`,
  patch: `${META}.Patch`,
  scale: 'k8s.io.api.autoscaling.v1.Scale',
} as const;

/** `CoreV1`, `AppsV1`, `RbacAuthorizationV1`, `EventsV1`: operationId infix. */
export function groupVersionId(group: string, version: string): string {
  const g = group === '' ? 'core' : group.replace(/\.k8s\.io$/, '');
  const cap = (s: string): string => (s ? s[0]!.toUpperCase() + s.slice(1) : s);
  return g.split('.').map(cap).join('') + cap(version);
}

/** The key of a group-version in `/openapi/v3`: `api/v1` or `apis/apps/v1`. */
export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/** Inverse of groupVersionPath; undefined for anything else. */
export function parseGroupVersionPath(path: string): { group: string; version: string } | undefined {
  const segs = path.split('/').filter(Boolean);
  if (segs.length === 2 && segs[0] === 'api') return { group: '', version: segs[1]! };
  if (segs.length === 3 && segs[0] === 'apis') return { group: segs[1]!, version: segs[2]! };
  return undefined;
}

/** Messages that embed TypeMeta upstream although their .proto has no such fields. */
const TYPE_META_SHORT_NAMES = new Set(['Status', 'DeleteOptions', 'APIResourceList', 'APIGroup', 'APIGroupList', 'APIVersions']);

/**
 * Whether a message is a top-level object, so its JSON form carries
 * `apiVersion` and `kind`: objects and lists (a `metadata` of ObjectMeta or
 * ListMeta) and the meta kinds that embed TypeMeta.
 */
export function hasTypeMeta(msg: MessageDef): boolean {
  if (msg.field('apiVersion') || msg.field('kind')) return false;
  const m = msg.field('metadata')?.type;
  if (m?.kind === 'message' && (m.name === META_MESSAGES.objectMeta || m.name === META_MESSAGES.listMeta)) return true;
  return msg.package === META && TYPE_META_SHORT_NAMES.has(msg.shortName);
}

/** The graph's message for a served kind, or undefined (CRDs, kinds whose .proto has not landed). */
export function kindMessage(graph: SchemaGraph, group: string, version: string, kind: string): MessageDef | undefined {
  return graph.forKind(group, version, kind);
}
