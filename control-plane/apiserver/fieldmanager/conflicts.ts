/**
 * The 409 an apply answers when it would change fields other managers own,
 * worded exactly as upstream's fieldmanager (NewConflictError):
 *   Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas
 *   Apply failed with 2 conflicts: conflicts with "m" using apps/v1:\n- .spec.replicas\n- .spec.paused
 * with one FieldManagerConflict cause per field.
 */
import { ApiError } from '../../api/errors.js';
import { pathString, type Path } from './field-set.js';
import { managerKey, type ManagerEntry } from './managed-fields.js';

export interface Conflict {
  entry: ManagerEntry;
  path: Path;
}

/** `"name"`, `"name" with subresource "status"`, plus ` using <apiVersion>` for Update managers. */
export function printManager(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion}`;
  return s;
}

export function conflictMessage(conflicts: readonly Conflict[]): string {
  const first = conflicts[0];
  if (conflicts.length === 1 && first) return `Apply failed with 1 conflict: conflict with ${printManager(first.entry)}: ${pathString(first.path)}`;
  const byManager = new Map<string, Conflict[]>();
  for (const c of conflicts) {
    const k = managerKey(c.entry);
    byManager.set(k, [...(byManager.get(k) ?? []), c]);
  }
  const lines: string[] = [];
  for (const k of [...byManager.keys()].sort()) {
    const list = byManager.get(k)!;
    lines.push(`conflicts with ${printManager(list[0]!.entry)}:`);
    for (const c of list) lines.push(`- ${pathString(c.path)}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

export function applyConflictError(conflicts: readonly Conflict[]): ApiError {
  return new ApiError('SKIFF_CONFLICT', conflictMessage(conflicts), {
    causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.entry)}`, field: pathString(c.path) })),
  });
}
