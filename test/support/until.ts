/**
 * Polls `probe` until it answers something other than `undefined` or `false`, then returns
 * it; fails after `timeoutMs` naming `what` it waited for. The e2e tests wait on the local
 * cloud's asynchronous paths (queues, streams, the sweeper) with it.
 */
export async function until<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 20_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
