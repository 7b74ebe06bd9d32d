/**
 * The deploy tooling against the REAL local Flink (npm run stack:up), with the real bridge jar
 * and a real TS worker: deploy the stock pipeline, produce a known set of ticks, find exactly
 * them in ClickHouse (ticks, candles_1m, alerts, rejected), stop with a savepoint, deploy from
 * it, and see the window state that was in the savepoint fire after the restore.
 * Own ClickHouse database and Kafka topics; the pipeline runs under its own name.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { loadConfig } from '@ticker/common';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerClient } from '../../pipeline/src/worker/client';
import { migrate } from '../../scripts/db/migrate-lib';
import { stackLayout } from '../../scripts/stack/layout';
import { freePort } from '../../scripts/stack/stack';
import { readCommitted } from '../../test/support/read-committed';
import { deploy, JobStartError } from '../src/deploy';
import { describePipeline, type LoadedDescriptor } from '../src/descriptor';
import { locateBridgeJar } from '../src/jar';
import { isActive } from '../src/jobs';
import { REPO_ROOT } from '../src/paths';
import { memoryReporter } from '../src/report';
import { FlinkRestClient } from '../src/rest/client';
import { SavepointStore } from '../src/savepoint-store';
import { stopJob } from '../src/stop';
import { pollUntil } from '../src/wait';

const config = loadConfig();
const suffix = randomBytes(4).toString('hex');
const database = `test_flink_${suffix}`;
const ticksTopic = `test-flink-ticks-${suffix}`;
const dlqTopic = `test-flink-dlq-${suffix}`;
const pipelineFile = resolve(REPO_ROOT, 'pipeline/src/stock/stockPipeline.ts');
// The stock pipeline under a name of its own, so this job never collides with another run's on the
// shared cluster (deploy refuses a second copy of a running pipeline by name).
const testEnv = {
  ...process.env,
  TICKS_TOPIC: ticksTopic,
  DLQ_TOPIC: dlqTopic,
  PIPELINE_NAME: `it-flink-${suffix}`,
  LOG_LEVEL: 'warn',
};

const flink = new FlinkRestClient({ url: config.flink.url });
const kafka = new Kafka({ clientId: `flink-int-${suffix}`, brokers: config.kafka.brokers, logLevel: logLevel.NOTHING });
let clickhouse: ClickHouseClient;
let worker: ChildProcess | undefined;
let workerAddress = '';
let descriptor: LoadedDescriptor;
let store: SavepointStore;
const jobIds: string[] = [];

/** A tick as the producer writes it; the Kafka record timestamp is the event time. */
function tick(id: string, symbol: string, price: number, volume: number, ts: string) {
  return {
    key: symbol,
    value: JSON.stringify({ id, symbol, price, volume, ts }),
    timestamp: String(Date.parse(ts)),
  };
}

// Minute 14:30 of AAA and BBB (closed by the 14:31 ticks), then 14:31 ticks that stay in window state.
const firstBatch = [
  tick(`${suffix}-1`, 'AAA', 10, 100, '2026-01-05T14:30:01.000Z'),
  tick(`${suffix}-2`, 'BBB', 20, 10, '2026-01-05T14:30:05.250Z'),
  tick(`${suffix}-3`, 'AAA', 12, 50, '2026-01-05T14:30:20.000Z'),
  tick(`${suffix}-4`, 'AAA', 11, 50, '2026-01-05T14:30:40.500Z'),
  { key: 'AAA', value: 'this is not json', timestamp: String(Date.parse('2026-01-05T14:30:41.000Z')) },
  tick(`${suffix}-5`, 'BBB', -3, 10, '2026-01-05T14:30:42.000Z'),
  tick(`${suffix}-6`, 'AAA', 11.5, 20, '2026-01-05T14:31:10.000Z'),
  tick(`${suffix}-7`, 'BBB', 21, 30, '2026-01-05T14:31:12.000Z'),
];
// After the restore: moves the watermark past 14:31, so the restored 14:31 windows fire.
const secondBatch = [tick(`${suffix}-8`, 'AAA', 12, 10, '2026-01-05T14:32:10.000Z')];

async function produce(messages: { key: string; value: string; timestamp: string }[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic: ticksTopic, messages });
  } finally {
    await producer.disconnect();
  }
}

async function rows<T>(query: string): Promise<T[]> {
  const result = await clickhouse.query({ query, format: 'JSONEachRow' });
  return result.json<T>();
}

/** Reads `count` JSON values from the start of a topic as a read_committed consumer, with a deadline. */
async function consumeJson(topic: string, count: number): Promise<Record<string, unknown>[]> {
  const lines = await readCommitted({
    kafkaLibs: stackLayout(config).kafka.libs,
    brokers: config.kafka.brokers,
    topic,
    count,
    timeoutMs: 60_000,
  });
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Deploys with the tooling under test and remembers the job for cleanup. */
async function deployJob(options: { savepointPath?: string; fromLatestSavepoint?: boolean } = {}) {
  const result = await deploy(flink, store, memoryReporter(), {
    descriptor,
    jar: () => locateBridgeJar({ build: false }),
    target: {
      workerAddress,
      kafkaBrokers: config.kafka.brokers,
      clickhouse: {
        url: config.clickhouse.url,
        database,
        user: config.clickhouse.user,
        password: config.clickhouse.password,
      },
    },
    tuning: { groupId: `flink-int-${suffix}`, checkpointIntervalMs: 2000, sinkFlushMs: 200 },
    parallelism: 1,
    timeoutMs: 90_000,
    ...options,
  });
  jobIds.push(result.jobId);
  return result;
}

describe('deploy / stop / deploy --savepoint against the real local Flink', () => {
  beforeAll(async () => {
    store = new SavepointStore(join(await mkdtemp(join(tmpdir(), 'flink-int-')), 'savepoints.json'));
    await migrate({
      url: config.clickhouse.url,
      user: config.clickhouse.user,
      password: config.clickhouse.password,
      database,
    });
    clickhouse = createClient({
      url: config.clickhouse.url,
      username: config.clickhouse.user,
      password: config.clickhouse.password,
      database,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        // One partition: the watermark then follows these few ticks at once, instead of waiting
        // out the pipeline's 60 s idleness for a partition that got no symbol.
        { topic: ticksTopic, numPartitions: 1 },
        { topic: dlqTopic, numPartitions: 1 },
      ],
    });
    await admin.disconnect();

    descriptor = await describePipeline(pipelineFile, testEnv);
    const port = await freePort();
    workerAddress = `127.0.0.1:${port}`;
    worker = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'pipeline/src/cli/main.ts',
        'worker',
        pipelineFile,
        '--port',
        String(port),
        '--processes',
        '1',
      ],
      { cwd: REPO_ROOT, env: testEnv, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const client = createWorkerClient(workerAddress);
    const described = await pollUntil(() => client.describe().catch(() => undefined), {
      timeoutMs: 30_000,
      describe: () => `worker at ${workerAddress} not answering Describe`,
    });
    client.close();
    // The bridge refuses to run if these differ; check it here so a failure names the cause.
    expect(JSON.parse(described.descriptorJson)).toEqual(descriptor.descriptor);
  }, 120_000);

  afterAll(async () => {
    for (const jobId of jobIds) await flink.cancelJob(jobId).catch(() => undefined);
    worker?.kill('SIGTERM');
    await clickhouse?.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await clickhouse?.close();
    const admin = kafka.admin();
    await admin.connect().catch(() => undefined);
    await admin.deleteTopics({ topics: [ticksTopic, dlqTopic] }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }, 60_000);

  it('names the cause when the bridge cannot reach its worker, and leaves no job behind', async () => {
    const before = new Set((await flink.listJobs()).map((j) => j.jid));
    const error = await deploy(flink, store, memoryReporter(), {
      descriptor,
      jar: () => locateBridgeJar({ build: false }),
      target: {
        workerAddress: '127.0.0.1:1',
        kafkaBrokers: config.kafka.brokers,
        clickhouse: {
          url: config.clickhouse.url,
          database,
          user: config.clickhouse.user,
          password: config.clickhouse.password,
        },
      },
      tuning: { groupId: `flink-int-bad-${suffix}`, callTimeoutMs: 1000, callRetries: 0 },
      parallelism: 1,
      timeoutMs: 90_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobStartError);
    const firstLine = (error as Error).message.split('\n')[0];
    // The bridge checks the worker (Describe) in main(), so Flink refuses the run with that reason.
    expect(firstLine).toMatch(/^Flink refused to start the job: worker at 127\.0\.0\.1:1 did not answer Describe/);
    const leftover = (await flink.listJobs()).filter((j) => !before.has(j.jid) && isActive(j));
    expect(leftover).toEqual([]);
  }, 120_000);

  it('deploys, processes exactly the produced ticks, stops with a savepoint and restores from it', async () => {
    const first = await deployJob();
    expect(first.alreadyRunning).toBe(false);
    const running = await flink.job(first.jobId);
    expect(running.state).toBe('RUNNING');
    expect(running.name).toContain(descriptor.descriptor.name);

    // A second deploy of the same pipeline is refused while it runs.
    await expect(deployJob()).rejects.toThrow(/is already running as job/);

    await produce(firstBatch);
    const ticks = await pollUntil(
      async () => {
        const r = await rows<{ id: string; symbol: string; price: number; volume: string; ts: string; ts_ms: number }>(
          'SELECT id, symbol, price, volume, toString(ts) AS ts, ts_ms FROM ticks FINAL ORDER BY id',
        );
        return r.length >= 6 ? r : undefined;
      },
      { timeoutMs: 60_000, describe: () => 'the 6 valid ticks did not reach ClickHouse' },
    );
    expect(ticks).toEqual([
      { id: `${suffix}-1`, symbol: 'AAA', price: 10, volume: '100', ts: '2026-01-05 14:30:01', ts_ms: 0 },
      { id: `${suffix}-2`, symbol: 'BBB', price: 20, volume: '10', ts: '2026-01-05 14:30:05', ts_ms: 250 },
      { id: `${suffix}-3`, symbol: 'AAA', price: 12, volume: '50', ts: '2026-01-05 14:30:20', ts_ms: 0 },
      { id: `${suffix}-4`, symbol: 'AAA', price: 11, volume: '50', ts: '2026-01-05 14:30:40', ts_ms: 500 },
      { id: `${suffix}-6`, symbol: 'AAA', price: 11.5, volume: '20', ts: '2026-01-05 14:31:10', ts_ms: 0 },
      { id: `${suffix}-7`, symbol: 'BBB', price: 21, volume: '30', ts: '2026-01-05 14:31:12', ts_ms: 0 },
    ]);

    const candleQuery =
      'SELECT symbol, toString(window_start) AS window_start, open, high, low, close, volume, vwap, ticks ' +
      'FROM candles_1m FINAL ORDER BY symbol, window_start';
    const candles = await pollUntil(
      async () => {
        const r = await rows<Record<string, unknown>>(candleQuery);
        return r.length >= 2 ? r : undefined;
      },
      { timeoutMs: 60_000, describe: () => 'the 14:30 candles did not reach ClickHouse' },
    );
    expect(candles).toEqual([
      // AAA 14:30: 10 x100, 12 x50, 11 x50 -> VWAP (1000 + 600 + 550) / 200
      {
        symbol: 'AAA',
        window_start: '2026-01-05 14:30:00',
        open: 10,
        high: 12,
        low: 10,
        close: 11,
        volume: '200',
        vwap: 10.75,
        ticks: 3,
      },
      {
        symbol: 'BBB',
        window_start: '2026-01-05 14:30:00',
        open: 20,
        high: 20,
        low: 20,
        close: 20,
        volume: '10',
        vwap: 20,
        ticks: 1,
      },
    ]);

    const rejected = await pollUntil(
      async () => {
        const r = await rows<{ step: string; raw: string; ts: string }>(
          'SELECT step, raw, toString(ts) AS ts FROM rejected FINAL ORDER BY ts',
        );
        return r.length >= 2 ? r : undefined;
      },
      { timeoutMs: 60_000, describe: () => 'the 2 malformed records did not reach rejected' },
    );
    expect(rejected.map((r) => [r.step, r.raw, r.ts])).toEqual([
      ['parse-tick', 'this is not json', '2026-01-05 14:30:41'],
      ['parse-tick', firstBatch[5]!.value, '2026-01-05 14:30:42'],
    ]);

    // The same dead letters on the DLQ topic (EXACTLY_ONCE sink: visible once a checkpoint commits).
    const dlq = await consumeJson(dlqTopic, 2);
    expect(dlq.map((d) => [d.step, d.raw, d.ts]).sort((a, b) => String(a[2]).localeCompare(String(b[2])))).toEqual([
      ['parse-tick', 'this is not json', '2026-01-05 14:30:41'],
      ['parse-tick', firstBatch[5]!.value, '2026-01-05 14:30:42'],
    ]);

    // Stop with a savepoint: the 14:31 windows (AAA, BBB) are open, so their state is in it.
    const stopped = await stopJob(flink, store, memoryReporter(), { jobId: first.jobId });
    expect(stopped.savepointPath).toMatch(/^file:\/.+savepoint-/);
    expect((await flink.job(first.jobId)).state).toBe('FINISHED');
    expect((await store.latest(descriptor.descriptor.name))?.path).toBe(stopped.savepointPath);

    const second = await deployJob({ fromLatestSavepoint: true });
    expect(second.restoredFrom).toBe(stopped.savepointPath);
    const restored = await flink.checkpoints(second.jobId);
    expect(restored.latest?.restored?.external_path).toBe(stopped.savepointPath);

    await produce(secondBatch);
    const after = await pollUntil(
      async () => {
        const r = await rows<Record<string, unknown>>(candleQuery);
        return r.length >= 4 ? r : undefined;
      },
      { timeoutMs: 60_000, describe: () => 'the restored 14:31 windows did not fire' },
    );
    expect(after.filter((c) => c.window_start === '2026-01-05 14:31:00')).toEqual([
      {
        symbol: 'AAA',
        window_start: '2026-01-05 14:31:00',
        open: 11.5,
        high: 11.5,
        low: 11.5,
        close: 11.5,
        volume: '20',
        vwap: 11.5,
        ticks: 1,
      },
      {
        symbol: 'BBB',
        window_start: '2026-01-05 14:31:00',
        open: 21,
        high: 21,
        low: 21,
        close: 21,
        volume: '30',
        vwap: 21,
        ticks: 1,
      },
    ]);
    // Nothing was processed twice: 7 distinct ticks, each once, after the restore.
    await pollUntil(
      async () =>
        (await rows<{ n: string }>('SELECT count() AS n FROM ticks FINAL'))[0]?.n === '7' ? true : undefined,
      { timeoutMs: 30_000, describe: () => 'tick 8 did not arrive' },
    );
    const counts = await rows<{ total: string; distinct_ids: string }>(
      'SELECT count() AS total, uniqExact(id) AS distinct_ids FROM ticks',
    );
    expect(counts).toEqual([{ total: '7', distinct_ids: '7' }]);
    // AAA 14:30 moved +10 % (10 -> 11): one alert; BBB 14:30 did not move.
    const alerts = await rows<Record<string, unknown>>(
      "SELECT symbol, toString(window_start) AS window_start, direction, open, close FROM alerts FINAL WHERE window_start = '2026-01-05 14:30:00'",
    );
    expect(alerts).toEqual([
      { symbol: 'AAA', window_start: '2026-01-05 14:30:00', direction: 'up', open: 10, close: 11 },
    ]);
  }, 400_000);
});
