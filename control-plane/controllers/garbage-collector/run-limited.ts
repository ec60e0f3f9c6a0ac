/**
 * Runs an async function over many items with at most `limit` calls in
 * flight, so that orphaning a thousand dependents or emptying a namespace
 * of a thousand pods does not open a thousand requests at once. Rejects
 * with the first failure after every started call has settled.
 */
export async function runLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.err;
}
