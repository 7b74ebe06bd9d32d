/** Polling with a deadline: the one way the tooling waits for Flink. */
import { setTimeout as delay } from 'node:timers/promises';

/** The condition did not hold before the deadline. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

/**
 * Calls `probe` every `intervalMs` until it returns a value (not undefined) or `timeoutMs`
 * passes; then throws DeadlineError with `describe()` (the last known state).
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs?: number; describe: () => string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) {
      throw new DeadlineError(`timed out after ${Math.round(options.timeoutMs / 1000)} s: ${options.describe()}`);
    }
    await delay(options.intervalMs ?? 500);
  }
}
