/**
 * Indexed Jobs record which completion indexes succeeded in
 * status.completedIndexes as upstream's compressed interval string:
 * ascending, comma-separated, a run of three or more as "first-last", a run
 * of two as "a,b" (e.g. "0-2,5,7,8"). Parsing ignores indexes outside
 * [0, completions) and malformed parts, as upstream's parseIndexesFromString
 * does, so a bad string never crashes the controller. Pure.
 */

export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    const first = sorted[i]!;
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    const last = sorted[j]!;
    if (last === first) parts.push(String(first));
    else if (last === first + 1) parts.push(`${first},${last}`);
    else parts.push(`${first}-${last}`);
    i = j + 1;
  }
  return parts.join(',');
}

export function parseIndexes(s: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  if (!s) return out;
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    for (let i = first; i <= Math.min(last, completions - 1); i++) out.add(i);
  }
  return out;
}

/** The lowest `count` indexes in [0, completions) that are neither completed nor taken. */
export function firstPendingIndexes(completions: number, completed: ReadonlySet<number>, taken: ReadonlySet<number>, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!completed.has(i) && !taken.has(i)) out.push(i);
  return out;
}
