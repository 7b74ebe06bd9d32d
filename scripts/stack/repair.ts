/**
 * Brings a lost Flink TaskManager back. Used between benchmark runs and before each integration
 * and end-to-end test file, so one crashed TaskManager fails one test, not every later one.
 */
import { stopProcess } from './processes';
import { loadStack, selectComponents, upStack } from './stack';

/**
 * Makes the local stack's Flink healthy again: a TaskManager of this stack that no longer answers
 * (a JVM deregistered but still shutting down) is stopped first, then what is missing is started.
 * Returns false when Flink was already healthy and nothing was done.
 */
export async function repairFlink(log: (message: string) => void): Promise<boolean> {
  const stack = loadStack();
  const components = selectComponents(stack, ['flink']);
  const [flink] = components;
  if (flink === undefined || (await flink.healthy())) return false;
  const taskmanager = flink.processes.find((p) => p.name === 'flink-taskmanager');
  if (taskmanager !== undefined) {
    const outcome = await stopProcess(taskmanager, stack.layout.root, 20_000);
    if (outcome !== 'not running') log(`flink-taskmanager: ${outcome} (it no longer served the cluster)`);
  }
  await upStack(stack, components, { step: log, detail: () => {} }, { reuseHealthy: true });
  return true;
}
