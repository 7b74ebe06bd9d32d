/** `pipeline reload` (npm run worker:reload): finds the worker's primary, sends it SIGHUP, waits for the outcome. */
import { fetchWorkerStatus, type ReloadStatus, reloadEnded, type WorkerStatus } from './reload';

/** A reload that could not be asked for (no worker, no cluster, primary elsewhere). */
export class ReloadRequestError extends Error {
  override readonly name = 'ReloadRequestError';
}

/** Sends SIGHUP to the primary of the worker at `address` and resolves with the reload's final status. */
export async function requestReload(address: string, timeoutMs: number): Promise<ReloadStatus> {
  // Each attempt opens a new connection, which the cluster hands to the next free process: one that
  // is busy with a long call does not answer in time, another will.
  let before: WorkerStatus | undefined;
  let lastError = '';
  for (let attempt = 0; attempt < 5 && !before; attempt++) {
    before = await fetchWorkerStatus(address, 2_000).catch((err: Error) => {
      lastError = err.message;
      return undefined;
    });
  }
  if (!before) {
    throw new ReloadRequestError(`no worker answers its status at ${address} (WORKER_ADDRESS): ${lastError}`);
  }
  const cluster = before.cluster;
  if (!cluster) {
    throw new ReloadRequestError(
      `the worker at ${address} runs in one process (WORKER_PROCESSES=1): a live reload needs the cluster; restart it instead`,
    );
  }
  if (['checking', 'starting', 'draining'].includes(cluster.reload.state)) {
    throw new ReloadRequestError(
      `a reload is already in progress (attempt ${cluster.reload.attempt}: ${cluster.reload.state})`,
    );
  }
  try {
    process.kill(cluster.primaryPid, 'SIGHUP');
  } catch (err) {
    throw new ReloadRequestError(
      `cannot signal the worker's primary (pid ${cluster.primaryPid}): ${(err as Error).message}; send SIGHUP where it runs (with compose: docker compose kill -s HUP worker)`,
    );
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await fetchWorkerStatus(address, 2_000).catch(() => undefined);
    if (now && reloadEnded(now, cluster.reload.attempt)) return now.cluster!.reload;
    if (Date.now() > deadline) {
      throw new ReloadRequestError(
        `the reload did not end within ${timeoutMs / 1000} s (last: ${now?.cluster?.reload.state ?? 'no answer'})`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
