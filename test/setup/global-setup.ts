/**
 * Global setup of the `integration` vitest project: makes sure the local stack
 * (ClickHouse, Kafka, Flink) is healthy. A component that already answers its
 * health check is reused, whoever started it (another checkout's stack, a
 * helper's running stack); the components this setup had to start are stopped
 * again at the end, the others are left running.
 */
import type { Progress } from '../../scripts/stack/component';
import { downStack, loadStack, upStack } from '../../scripts/stack/stack';

const progress: Progress = {
  step: (message) => console.log(`[stack] ${message}`),
  detail: (message) => console.log(`[stack]   ${message}`),
};

export default async function setup(): Promise<() => Promise<void>> {
  const stack = loadStack();
  const health = await Promise.all(stack.components.map((c) => c.healthy()));
  const missing = stack.components.filter((_, i) => !health[i]);
  // upStack also runs the migration of the default database and creates the topics;
  // with nothing to start it does just that (both idempotent).
  if (missing.length > 0) progress.step(`starting ${missing.map((c) => c.name).join(', ')} for the integration tests`);
  await upStack(
    stack,
    stack.components.filter((c) => missing.includes(c) || c.afterHealthy !== undefined),
    missing.length > 0 ? progress : { step: () => {}, detail: () => {} },
    { reuseHealthy: true },
  );
  return async () => {
    if (missing.length > 0) await downStack(stack, missing, progress);
  };
}
