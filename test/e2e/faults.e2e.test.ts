/**
 * The same exact invariants as "steady", with a fault injected mid-stream.
 * Each recovers through Flink's checkpoints and the idempotent sinks: no tick
 * lost, none counted twice.
 */
import { expect, it } from 'vitest';
import { recordReport } from './report';
import { type Fault, runScenario } from './scenario';

const faults: Record<string, Fault> = {
  'kill -9 the TaskManager, start a new one': async (run, publishRest) => {
    await run.killAndReplaceTaskManager();
    await publishRest();
  },
  'kill -9 the worker, start it again': async (run, publishRest) => {
    await run.killAndRestartWorker();
    await publishRest();
  },
  'restart ClickHouse': async (run, publishRest) => {
    // Ticks keep arriving while ClickHouse is down; the sink must hold them, not drop them.
    await run.restartComponent('clickhouse', publishRest);
  },
  'restart the Kafka broker': async (run, publishRest) => {
    await run.restartComponent('kafka');
    await publishRest();
  },
  'stop with a savepoint, redeploy from it': async (run, publishRest) => {
    await run.upgradeThroughSavepoint();
    await publishRest();
  },
};

for (const [name, fault] of Object.entries(faults)) {
  it(`fault: ${name}`, async () => {
    const scenario = name
      .replace(/[^a-z0-9]+/gi, '-')
      .replace(/^-|-$/g, '')
      .toLowerCase();
    const report = await runScenario(scenario, { fault });
    recordReport(report);
    expect(report.recoveryMs).toBeGreaterThan(0);
  });
}
