/**
 * `status` against the real cluster with data flowing: the stock pipeline on its own topics, fed by the
 * foreign-producer input, and the per-operator counts `status` shows equal what was sent (the source
 * reads every record; the dead-letter sink gets every refused one) with non-zero rates.
 */
import { expect, it } from 'vitest';
import { waitUntil } from '../../scripts/stack/wait';
import { foreignInput } from '../../test/e2e/foreign-input';
import { E2ERun } from '../../test/e2e/harness';
import { jobStatus, type VertexStatus } from '../src/status';

it('shows the records each operator read and wrote, equal to what was sent', async () => {
  const input = foreignInput(Date.now());
  const run = await E2ERun.start('status');
  let passed = false;
  try {
    await run.sendForeign(input.records);
    // The oracle's counts for this input (foreign.e2e.test.ts): 122 dead letters.
    await run.waitForCounts({ ticks: 5886, candles: 25, alerts: 2, rejected: 122 }, 240_000);
    const job = (await run.flink.listJobs()).find(
      (j) => j.name === `ticker-bridge: ${run.config.pipeline.name}` && j.state === 'RUNNING',
    );
    expect(job).toBeDefined();
    const vertex = (vertices: VertexStatus[], prefix: string) => vertices.find((v) => v.name.startsWith(prefix));
    let vertices: VertexStatus[] = [];
    // Flink's REST metrics lag the job by up to its fetch interval (10 s): poll until they caught up.
    const caughtUp = await waitUntil(
      async () => {
        vertices = (await jobStatus(run.flink, job!.jid)).vertices;
        return (
          vertex(vertices, 'Source: read-ticks')?.recordsIn === input.records.length &&
          vertex(vertices, 'dead-letter-0')?.recordsIn === 122 &&
          // A rate is a moving average Flink updates every few seconds: it shows once that has happened.
          (vertex(vertices, 'Source: read-ticks')?.recordsInPerSecond ?? 0) > 0
        );
      },
      { timeoutMs: 90_000, intervalMs: 1_000 },
    );
    expect(caughtUp, JSON.stringify(vertices, null, 2)).toBe(true);
    const source = vertex(vertices, 'Source: read-ticks')!;
    // Every record read leaves the source task: to the dedupe step, or (the tick a day ahead) as a dead letter.
    expect(source.recordsOut).toBe(input.records.length);
    expect(source.recordsInPerSecond).toBeGreaterThan(0);
    expect(vertex(vertices, 'dead-letter-1')?.recordsIn).toBe(122);
    passed = true;
  } finally {
    await run.cleanup(!passed);
  }
});
