/**
 * `npm run demo`, run as a user runs it: the README's command in a process group of its own,
 * stopped by SIGINT to the whole group (what a terminal's Ctrl-C does). It must show ticks and
 * candles on the dashboard, leave no process or listening port behind, and resume from the
 * savepoint it took on a second run. Its own pipeline name, topics, database and ports keep it
 * apart from anything else on the stack.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createClient } from '@clickhouse/client';
import { loadConfig } from '@ticker/common';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_READER_ENV } from '../dashboard/test/fixtures';
import { activeJobsOf } from '../flink/src/jobs';
import { FlinkRestClient } from '../flink/src/rest/client';
import { freePort, portInUse } from '../scripts/stack/stack';
import { waitUntil } from '../scripts/stack/wait';

const ROOT = new URL('..', import.meta.url).pathname;
const SYMBOLS = ['AAPL', 'AMZN', 'GOOG', 'META', 'MSFT', 'NVDA', 'TSLA'];

const suffix = Date.now().toString(36);
const dashboardPort = await freePort();
const workerPort = await freePort();
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PIPELINE_NAME: `demo-test-${suffix}`,
  TICKS_TOPIC: `demo-test-ticks-${suffix}`,
  DLQ_TOPIC: `demo-test-dlq-${suffix}`,
  CLICKHOUSE_DATABASE: `demo_test_${suffix}`,
  // The demo's dashboard reads this throwaway database, which the dashboard user (`stocks` only) may not.
  ...TEST_READER_ENV,
  DASHBOARD_PORT: String(dashboardPort),
  WORKER_PORT: String(workerPort),
  WORKER_ADDRESS: `localhost:${workerPort}`,
  WORKER_PROCESSES: '1',
};
const config = loadConfig(env);
const marker = `PIPELINE_NAME=${env.PIPELINE_NAME}`;

/** Pids of live processes whose environment carries this test's pipeline name (the demo's children too). */
function processesWithMarker(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(marker)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

interface DemoRun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `npm run demo` in its own process group, its output collected. */
function startDemo(): DemoRun {
  let text = '';
  const child = spawn('npm', ['run', '-s', 'demo', '--', '--status-every', '2', '--rate', '100'], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

/** Ctrl-C: SIGINT to every process of the demo's group, as a terminal sends it. */
async function ctrlC(run: DemoRun): Promise<void> {
  if (run.child.pid === undefined) throw new Error('the demo has no pid');
  process.kill(-run.child.pid, 'SIGINT');
  await run.exited;
}

async function until(what: string, run: DemoRun, check: () => Promise<boolean> | boolean, timeoutMs: number) {
  const ok = await waitUntil(async () => (run.child.exitCode === null ? check() : true), {
    timeoutMs,
    intervalMs: 1000,
  });
  if (run.child.exitCode !== null)
    throw new Error(`the demo exited (${run.child.exitCode}) before ${what}:\n${run.output()}`);
  if (!ok) throw new Error(`timed out waiting until ${what}; demo output:\n${run.output()}`);
}

const clickhouse = createClient({
  url: config.clickhouse.url,
  username: config.clickhouse.user,
  password: config.clickhouse.password,
  database: config.clickhouse.database,
});

async function count(table: string): Promise<number> {
  const result = await clickhouse.query({ query: `SELECT count() AS n FROM ${table} FINAL`, format: 'JSONEachRow' });
  return Number(((await result.json()) as { n: string }[])[0]?.n ?? 0);
}

afterAll(async () => {
  for (const pid of processesWithMarker()) process.kill(pid, 'SIGKILL');
  // A failed run may leave its job behind: cancel it, or it holds task slots the next tests need.
  const flink = new FlinkRestClient({ url: config.flink.url });
  for (const job of activeJobsOf(await flink.listJobs(), config.pipeline.name)) await flink.cancelJob(job.jid);
  await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${config.clickhouse.database}` }).catch(() => {});
  await clickhouse.close();
  const admin = new Kafka({ brokers: config.kafka.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [config.kafka.ticksTopic, config.kafka.dlqTopic] }).catch(() => {});
  await admin.disconnect();
});

describe('npm run demo', () => {
  it('shows ticks and candles, stops cleanly on Ctrl-C, and resumes from its savepoint', async () => {
    const first = startDemo();
    await until('the demo says it is running', first, () => first.output().includes('The demo is running'), 300_000);
    expect(first.output()).toContain(`dashboard   http://localhost:${dashboardPort}`);
    expect(first.output()).toContain('no savepoint recorded yet: starting from the topic');

    await until(
      'the dashboard shows every symbol',
      first,
      async () => {
        const answer = await fetch(`http://127.0.0.1:${dashboardPort}/api/latest`).then(
          (r) => r.json(),
          () => ({}),
        );
        const symbols = ((answer as { symbols?: { symbol: string }[] }).symbols ?? []).map((s) => s.symbol).sort();
        return symbols.join() === SYMBOLS.join();
      },
      120_000,
    );
    // A candle needs its minute closed by the watermark: up to a minute and a bit of event time.
    // Each sink subtask commits on its own checkpoint, so poll the API rather than the first row.
    await until(
      'the dashboard serves candles of AAPL',
      first,
      async () => {
        const answer = await fetch(`http://127.0.0.1:${dashboardPort}/api/candles?symbol=AAPL`).then(
          (r) => r.json(),
          () => ({}),
        );
        return ((answer as { candles?: unknown[] }).candles ?? []).length > 0;
      },
      180_000,
    );
    expect(await count('candles_1m')).toBeGreaterThan(0);
    expect(await count('rejected')).toBeGreaterThan(0);

    await ctrlC(first);
    expect(first.output()).toContain('stopping the job with a savepoint');
    expect(first.output()).toContain('stopped; nothing the demo started is left running');
    expect(first.output()).not.toMatch(/^demo: /m);
    expect(processesWithMarker()).toEqual([]);
    expect(await portInUse(dashboardPort)).toBe(false);
    expect(await portInUse(workerPort)).toBe(false);
    const ticksAfterFirst = await count('ticks');
    expect(ticksAfterFirst).toBeGreaterThan(0);

    const second = startDemo();
    await until('the second run is running', second, () => second.output().includes('The demo is running'), 300_000);
    expect(second.output()).toMatch(/resuming from savepoint \S+savepoint-/);
    await until(
      'new ticks arrive after the resume',
      second,
      async () => (await count('ticks')) > ticksAfterFirst,
      120_000,
    );
    await ctrlC(second);
    expect(second.output()).toContain('stopped; nothing the demo started is left running');
    expect(processesWithMarker()).toEqual([]);
    expect(await portInUse(dashboardPort)).toBe(false);
  }, 900_000);
});
