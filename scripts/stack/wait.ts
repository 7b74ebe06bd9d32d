/** Polling with a deadline: the stack never sleeps for a fixed time to wait for readiness. */

/** Polls `check` every `intervalMs` until it returns true or `timeoutMs` passes; returns whether it succeeded. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  options: { timeoutMs: number; intervalMs?: number },
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 250;
  for (;;) {
    try {
      if (await check()) return true;
    } catch {
      // a failing check counts as "not yet"
    }
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, Math.min(interval, Math.max(0, deadline - Date.now()))));
  }
}

/** fetch with a timeout; resolves to undefined when the server is not reachable. */
export async function tryFetch(url: string, init: RequestInit = {}, timeoutMs = 2000): Promise<Response | undefined> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    return undefined;
  }
}
