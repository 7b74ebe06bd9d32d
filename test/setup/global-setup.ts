/**
 * Global setup of the `integration` (and `e2e`) vitest projects: makes sure the
 * local stack (ClickHouse, Kafka, Flink) is healthy.
 * - A component that already answers its health check is reused, whoever
 *   started it (this checkout's stack, another checkout's, a running shared one).
 * - If no component was up, this setup started the whole stack, and it stops it
 *   again when the run ends (a CI machine ends clean).
 * - If only some components were down, it repairs them and leaves the stack
 *   running: other people and test runs are using it (a run must not take a
 *   shared stack down because it found one component restarting).
 */
import type { Progress } from '../../scripts/stack/component';
import { downStack, loadStack, upStack } from '../../scripts/stack/stack';

const progress: Progress = {
  step: (message) => console.log(`[stack] ${message}`),
  detail: (message) => console.log(`[stack]   ${message}`),
};
const quiet: Progress = { step: () => {}, detail: () => {} };

export default async function setup(): Promise<() => Promise<void>> {
  const stack = loadStack();
  const health = await Promise.all(stack.components.map((c) => c.healthy()));
  const missing = stack.components.filter((_, i) => !health[i]);
  const startedEverything = missing.length === stack.components.length;
  if (missing.length > 0) progress.step(`starting ${missing.map((c) => c.name).join(', ')} for the tests`);
  // upStack also migrates the default database and creates the topics (both idempotent),
  // so it runs even when every component is healthy.
  await upStack(stack, stack.components, missing.length > 0 ? progress : quiet, { reuseHealthy: true });
  return async () => {
    if (startedEverything) await downStack(stack, stack.components, progress);
  };
}
