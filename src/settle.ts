/**
 * Runs `tasks` together, each with a signal that aborts when one of them fails (or `outer`
 * aborts), and settles only once every task has; rejects with the first failure. A caller that
 * sees the rejection has no task still running: downloads into a store (the pull's blobs,
 * `--cache-from` layers) leave nothing half-written when one of them fails.
 */
export async function settleAll(
  tasks: readonly ((signal: AbortSignal) => Promise<unknown>)[],
  outer?: AbortSignal,
): Promise<void> {
  const stop = new AbortController();
  const signal = outer ? AbortSignal.any([outer, stop.signal]) : stop.signal;
  let failure: { reason: unknown } | undefined;
  await Promise.all(
    tasks.map((task) =>
      task(signal).catch((reason: unknown) => {
        failure ??= { reason };
        stop.abort();
      }),
    ),
  );
  if (failure !== undefined) throw failure.reason;
}
