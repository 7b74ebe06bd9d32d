/**
 * One end-to-end run over the real stack: its own Kafka topics, its own
 * ClickHouse database, its own worker process and its own Flink job, plus the
 * faults the suite injects (kill a TaskManager, kill the worker, restart
 * ClickHouse or Kafka, stop with a savepoint and redeploy).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { type Config, createLogger, loadConfig } from '@ticker/common';
import { Kafka, logLevel } from 'kafkajs';
import type { BridgeTuning } from '../../flink/src/bridge-args';
import { deploy } from '../../flink/src/deploy';
import { DEFAULT_PIPELINE, describePipeline, PIPELINE_CLI } from '../../flink/src/descriptor';
import { locateBridgeJar } from '../../flink/src/jar';
import { consoleReporter } from '../../flink/src/report';
import { FlinkRestClient } from '../../flink/src/rest/client';
import { SavepointStore } from '../../flink/src/savepoint-store';
import { stopJob } from '../../flink/src/stop';
import { createWorkerClient } from '../../pipeline/src/worker/client';
import type { GeneratedRecord } from '../../producer/src/generator';
import { TickPublisher } from '../../producer/src/publisher';
import { migrate } from '../../scripts/db/migrate-lib';
import type { Component } from '../../scripts/stack/component';
import { runningPid, stopProcess } from '../../scripts/stack/processes';
import { freePort, loadStack, type Stack } from '../../scripts/stack/stack';
import { waitUntil } from '../../scripts/stack/wait';
import { type ForeignRecord, sendWithForeignClient } from '../support/foreign-producer';
import { readCommitted } from '../support/read-committed';
import type { SentRecord } from './expected';

/** Row counts of the four result tables, as queried (FINAL: replays collapse). */
export interface Counts {
  ticks: number;
  candles: number;
  alerts: number;
  rejected: number;
}

export interface ResultRows {
  ticks: Record<string, unknown>[];
  candles: Record<string, unknown>[];
  alerts: Record<string, unknown>[];
  rejected: { origin: string; step: string; reason: string; raw: string }[];
}

const PARTITIONS = 6;

const KEEP = [{ name: 'retention.ms', value: '-1' }];

/** Dead letters in a stable order: two malformed values may have the same text, never the same origin. */
function byRawThenOrigin(a: { raw: string; origin: string }, b: { raw: string; origin: string }): number {
  if (a.raw !== b.raw) return a.raw < b.raw ? -1 : 1;
  return a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0;
}

function component(stack: Stack, name: string): Component {
  const found = stack.components.find((c) => c.name === name);
  if (!found) throw new Error(`the local stack has no component ${name}`);
  return found;
}

/** Polls `check` every `intervalMs` until it returns true; throws `what` with the deadline when it never does. */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const ok = await waitUntil(
    async () => {
      try {
        return await check();
      } catch {
        return false;
      }
    },
    { timeoutMs, intervalMs: 500 },
  );
  if (!ok) throw new Error(`timed out after ${timeoutMs / 1000}s waiting until ${what}`);
}

/** An isolated pipeline deployment on the local stack, for one scenario. */
export class E2ERun {
  readonly config: Config;
  readonly clickhouse: ClickHouseClient;
  readonly flink: FlinkRestClient;
  private worker: ChildProcess | undefined;
  private jobId: string | undefined;
  readonly savepoints: SavepointStore;
  /** What the deploy tooling reported (the secrets scenario scans it). */
  readonly deployLines: string[] = [];
  /** The Flink job of this run, once deployed. */
  get currentJobId(): string | undefined {
    return this.jobId;
  }

  private constructor(
    readonly name: string,
    readonly env: NodeJS.ProcessEnv,
    readonly stack: Stack,
    readonly workerPort: number,
    /** Bridge knobs of this run's deployments (the defaults when empty). */
    readonly tuning: BridgeTuning = {},
    /** Where the bridge reaches the worker when not directly (a stand-in in front of it). */
    private readonly bridgeWorker?: (workerAddress: string) => Promise<string>,
    /** The pipeline module the worker serves (its descriptor must be the stock pipeline's). */
    private readonly workerFile: string = DEFAULT_PIPELINE,
    /** The ClickHouse password the job is deployed with, when not the config's (the secrets scenario). */
    private readonly bridgePassword?: string,
  ) {
    this.config = loadConfig(env);
    this.clickhouse = createClient({
      url: this.config.clickhouse.url,
      username: this.config.clickhouse.user,
      password: this.config.clickhouse.password,
      database: this.config.clickhouse.database,
    });
    this.flink = new FlinkRestClient({ url: this.config.flink.url });
    this.savepoints = new SavepointStore(join(stack.layout.root, `e2e-${name}-savepoints.json`));
  }

  /** Creates topics and database, starts the worker and deploys the stock pipeline. */
  static async start(
    scenario: string,
    options: {
      tuning?: BridgeTuning;
      bridgeWorker?: (workerAddress: string) => Promise<string>;
      /** The worker serves this module instead of the stock pipeline's (same descriptor, other logic). */
      workerFile?: string;
      /** Environment overrides (e.g. WORKER_PROCESSES). */
      env?: Record<string, string>;
      bridgePassword?: string;
    } = {},
  ): Promise<E2ERun> {
    // Usable both as a topic suffix and in a ClickHouse database name.
    const suffix = `${scenario.replace(/[^A-Za-z0-9]+/g, '_')}_${Date.now().toString(36)}`;
    const workerPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TICKS_TOPIC: `e2e-ticks-${suffix}`,
      DLQ_TOPIC: `e2e-dlq-${suffix}`,
      CLICKHOUSE_DATABASE: `e2e_${suffix}`,
      WORKER_PORT: String(workerPort),
      WORKER_ADDRESS: `localhost:${workerPort}`,
      WORKER_PROCESSES: '1',
      // Its own job name, so it never collides with another copy of the stock pipeline on the cluster.
      PIPELINE_NAME: `e2e-${suffix.replace(/_/g, '-').toLowerCase()}`.slice(0, 63),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      ...options.env,
    };
    const run = new E2ERun(
      suffix,
      env,
      loadStack(env),
      workerPort,
      options.tuning,
      options.bridgeWorker,
      options.workerFile,
      options.bridgePassword,
    );
    await run.createTopics();
    await migrate({
      url: run.config.clickhouse.url,
      user: run.config.clickhouse.user,
      password: run.config.clickhouse.password,
      database: run.config.clickhouse.database,
    });
    try {
      await run.startWorker();
      await run.deploy();
    } catch (error) {
      // Leave nothing behind (the worker process above all) when the run cannot start.
      await run.cleanup(true).catch(() => {});
      throw error;
    }
    return run;
  }

  /** Where to look when something breaks. */
  logHint(): string {
    const logs = this.stack.layout.logs;
    return [
      `logs: worker ${this.workerLog}`,
      `      flink ${join(logs, 'flink-jobmanager.out')}, ${join(logs, 'flink-taskmanager.out')} and ${logs}/flink-*.log`,
      `      kafka ${join(logs, 'kafka.out')}, clickhouse ${join(logs, 'clickhouse.out')}`,
      `      Flink job ${this.jobId ?? '(none)'} at ${this.config.flink.url}/#/job/running/${this.jobId ?? ''}`,
    ].join('\n');
  }

  /** The deployed job's id, if any. */
  get deployedJobId(): string | undefined {
    return this.jobId;
  }

  /** The worker process's pid while it runs. */
  get workerPid(): number | undefined {
    return this.worker && this.worker.exitCode === null ? this.worker.pid : undefined;
  }

  get workerLog(): string {
    return join(this.stack.layout.logs, `e2e-${this.name}-worker.log`);
  }

  private kafka(): Kafka {
    return new Kafka({ clientId: `e2e-${this.name}`, brokers: this.config.kafka.brokers, logLevel: logLevel.NOTHING });
  }

  private async createTopics(): Promise<void> {
    const admin = this.kafka().admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        // The seeded ticks carry event times months in the past and Kafka applies time retention to
        // record timestamps: with the default 7 days it may delete a segment mid-test.
        topics: [
          { topic: this.config.kafka.ticksTopic, numPartitions: PARTITIONS, replicationFactor: 1, configEntries: KEEP },
          { topic: this.config.kafka.dlqTopic, numPartitions: 1, replicationFactor: 1, configEntries: KEEP },
        ],
      });
    } finally {
      await admin.disconnect();
    }
  }

  /** Starts the TS worker as its own process (what a kill -9 hits) and waits until it answers. */
  async startWorker(): Promise<void> {
    mkdirSync(this.stack.layout.logs, { recursive: true });
    const out = openSync(this.workerLog, 'a');
    this.worker = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), PIPELINE_CLI, 'worker', this.workerFile],
      { env: this.env, stdio: ['ignore', out, out] },
    );
    closeSync(out);
    const client = createWorkerClient(this.config.worker.address);
    try {
      await eventually(
        `the worker answers Describe on ${this.config.worker.address}`,
        async () => {
          await client.describe();
          return true;
        },
        60_000,
      );
    } finally {
      client.close();
    }
  }

  /** kill -9 the worker, then start it again on the same port. */
  async killAndRestartWorker(): Promise<void> {
    const worker = this.worker;
    if (!worker || worker.exitCode !== null) throw new Error('the worker is not running');
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.kill('SIGKILL');
    await exited;
    await this.startWorker();
  }

  /** Deploys the stock pipeline (optionally from a savepoint) and waits until every task runs. */
  async deploy(savepointPath?: string): Promise<void> {
    const descriptor = await describePipeline(DEFAULT_PIPELINE, this.env);
    const reporter = consoleReporter((line) => this.deployLines.push(line));
    const result = await deploy(this.flink, this.savepoints, reporter, {
      descriptor,
      jar: () => locateBridgeJar({ build: false }),
      target: {
        workerAddress: this.bridgeWorker
          ? await this.bridgeWorker(this.config.worker.address)
          : this.config.worker.address,
        kafkaBrokers: this.config.kafka.brokers,
        clickhouse: {
          url: this.config.clickhouse.url,
          database: this.config.clickhouse.database,
          user: this.config.clickhouse.user,
          password: this.bridgePassword ?? this.config.clickhouse.password,
        },
      },
      // Short checkpoints: the ClickHouse sink commits on checkpoint, so this bounds the wait.
      tuning: { checkpointIntervalMs: 2000, groupId: `e2e-${this.name}`, ...this.tuning },
      savepointPath,
      timeoutMs: 120_000,
    });
    this.jobId = result.jobId;
  }

  /** Stops the job with a savepoint and deploys it again from that savepoint (an upgrade). */
  async upgradeThroughSavepoint(): Promise<string> {
    const stopped = await stopJob(
      this.flink,
      this.savepoints,
      consoleReporter(() => {}),
      {
        jobId: this.jobId,
        timeoutMs: 120_000,
      },
    );
    this.jobId = undefined;
    await this.deploy(stopped.savepointPath);
    return stopped.savepointPath;
  }

  /** kill -9 the TaskManager and start a fresh one. */
  async killAndReplaceTaskManager(): Promise<void> {
    const flink = component(this.stack, 'flink');
    const tm = flink.processes.find((p) => p.name.includes('taskmanager'));
    if (!tm) throw new Error('no TaskManager process in the local stack');
    const pid = runningPid(tm, this.stack.layout.root);
    if (pid === undefined) throw new Error(`the TaskManager is not running (pid file ${tm.pidFile})`);
    process.kill(pid, 'SIGKILL');
    await eventually(
      'the killed TaskManager has exited',
      async () => runningPid(tm, this.stack.layout.root) === undefined,
      30_000,
    );
    await flink.start({ step: () => {}, detail: () => {} });
    await eventually('Flink has a TaskManager again', () => flink.healthy(), 120_000);
  }

  /** Stops a stack component (SIGTERM, grace period) and starts it again, waiting for health. */
  async restartComponent(name: 'clickhouse' | 'kafka', whileDown?: () => Promise<void>): Promise<void> {
    const target = component(this.stack, name);
    for (const proc of [...target.processes].reverse()) await stopProcess(proc, this.stack.layout.root, 30_000);
    if (whileDown) await whileDown();
    await target.start({ step: () => {}, detail: () => {} });
    await eventually(`${name} is healthy again`, () => target.healthy(), 120_000);
  }

  /** Publishes records (idempotent producer, key = symbol, Kafka timestamp = event time). */
  async publish(records: readonly GeneratedRecord[]): Promise<void> {
    const publisher = await TickPublisher.connect({
      brokers: this.config.kafka.brokers,
      topic: this.config.kafka.ticksTopic,
      compression: 'none',
      retries: 8,
      logger: createLogger('e2e-producer', 'warn'),
    });
    try {
      for (let i = 0; i < records.length; i += 1000) await publisher.send(records.slice(i, i + 1000));
    } finally {
      await publisher.disconnect();
    }
  }

  /** Sends records with Kafka's own Java client (not ours), which stamps each with its send time. */
  async sendForeign(records: readonly ForeignRecord[]): Promise<void> {
    await sendWithForeignClient({
      kafkaLibs: this.stack.layout.kafka.libs,
      brokers: this.config.kafka.brokers,
      topic: this.config.kafka.ticksTopic,
      records,
      timeoutMs: 180_000,
    });
  }

  /** Sends records as given (bytes or text, Kafka timestamp = event time), with acks from every replica. */
  async publishRaw(records: readonly { key: string; value: Buffer | string; timestampMs: number }[]): Promise<void> {
    const producer = this.kafka().producer();
    await producer.connect();
    try {
      await producer.send({
        topic: this.config.kafka.ticksTopic,
        acks: -1,
        messages: records.map((r) => ({ key: r.key, value: r.value, timestamp: String(r.timestampMs) })),
      });
    } finally {
      await producer.disconnect();
    }
  }

  /**
   * Sends many records fast: one producer, batches of `batch` messages (each well under the broker's
   * 1 MB request limit), a few batches in flight, acks from every replica.
   */
  async publishMany(
    records: readonly { key: string; value: Buffer | string; timestampMs: number }[],
    batch = 5_000,
    onProgress?: (sent: number) => void,
  ): Promise<void> {
    const producer = this.kafka().producer({ maxInFlightRequests: 4 });
    await producer.connect();
    try {
      const inFlight = new Set<Promise<unknown>>();
      let sent = 0;
      for (let i = 0; i < records.length; i += batch) {
        const chunk = records.slice(i, i + batch);
        const send: Promise<unknown> = producer
          .send({
            topic: this.config.kafka.ticksTopic,
            acks: -1,
            messages: chunk.map((r) => ({ key: r.key, value: r.value, timestamp: String(r.timestampMs) })),
          })
          .then(() => {
            sent += chunk.length;
            onProgress?.(sent);
          })
          .finally(() => inFlight.delete(send));
        inFlight.add(send);
        if (inFlight.size >= 4) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    } finally {
      await producer.disconnect();
    }
  }

  /** Sends one record to every partition explicitly, so that every partition's watermark passes `timestampMs`. */
  async publishToEveryPartition(make: (partition: number) => SentRecord): Promise<SentRecord[]> {
    const producer = this.kafka().producer();
    await producer.connect();
    const sent = Array.from({ length: PARTITIONS }, (_, p) => make(p));
    try {
      await producer.send({
        topic: this.config.kafka.ticksTopic,
        acks: -1,
        messages: sent.map((r, partition) => ({
          partition,
          key: r.key,
          value: r.value,
          timestamp: String(r.timestampMs),
        })),
      });
    } finally {
      await producer.disconnect();
    }
    return sent;
  }

  /**
   * The running job's restart count (Flink's numRestarts job metric). The REST metric cache lags up
   * to ~10 s, so this waits until the metric has caught up with the job's failure history.
   */
  async restarts(): Promise<number> {
    const jobId = this.jobId;
    if (!jobId) throw new Error('no job deployed');
    const failures = (await this.flink.jobExceptions(jobId)).exceptionHistory?.entries?.length ?? 0;
    let restarts = -1;
    await eventually(
      `numRestarts of job ${jobId} reaches its ${failures} failures`,
      async () => {
        const response = await fetch(`${this.flink.url}/jobs/${jobId}/metrics?get=numRestarts`);
        const rows = (await response.json()) as { id: string; value: string }[];
        const value = rows.find((r) => r.id === 'numRestarts')?.value;
        restarts = value === undefined ? -1 : Number(value);
        return restarts >= failures;
      },
      30_000,
    );
    return restarts;
  }

  /**
   * The largest value over subtasks of every operator metric whose name ends with `.${metric}`,
   * keyed by the metric id (e.g. "parse-tick_[worker_chain].workerMaxRequestBytes").
   */
  async operatorMetricMax(metric: string): Promise<Map<string, number>> {
    if (!this.jobId) throw new Error('no job deployed');
    const found = new Map<string, number>();
    for (const vertex of (await this.flink.job(this.jobId)).vertices) {
      const base = `${this.flink.url}/jobs/${this.jobId}/vertices/${vertex.id}/subtasks/metrics`;
      const ids = ((await (await fetch(base)).json()) as { id: string }[])
        .map((m) => m.id)
        .filter((id) => id.endsWith(`.${metric}`));
      if (ids.length === 0) continue;
      const values = (await (await fetch(`${base}?get=${ids.map(encodeURIComponent).join(',')}`)).json()) as {
        id: string;
        max: number;
      }[];
      for (const v of values) found.set(v.id, v.max);
    }
    return found;
  }

  /**
   * Flink's checkpoint statistics for the newest completed checkpoint triggered after `afterMs`
   * (waits for one): the checkpoint id and the state size of each subtask of the vertex whose name
   * starts with `vertexPrefix` (REST /jobs/:id/checkpoints/details/:cid/subtasks/:vid).
   */
  async checkpointedStateSizes(
    vertexPrefix: string,
    afterMs: number,
    timeoutMs = 60_000,
  ): Promise<{ checkpointId: number; vertex: string; subtaskBytes: number[] }> {
    const jobId = this.jobId;
    if (!jobId) throw new Error('no job deployed');
    const vertex = (await this.flink.job(jobId)).vertices.find((v) => v.name.startsWith(vertexPrefix));
    if (!vertex) throw new Error(`job ${jobId} has no vertex named ${vertexPrefix}…`);
    let checkpointId = -1;
    await eventually(
      `a checkpoint of job ${jobId} completes after ${new Date(afterMs).toISOString()}`,
      async () => {
        const stats = (await (await fetch(`${this.flink.url}/jobs/${jobId}/checkpoints`)).json()) as {
          latest?: { completed?: { id: number; trigger_timestamp: number } | null };
        };
        const completed = stats.latest?.completed;
        if (!completed || completed.trigger_timestamp <= afterMs) return false;
        checkpointId = completed.id;
        return true;
      },
      timeoutMs,
    );
    const details = (await (
      await fetch(`${this.flink.url}/jobs/${jobId}/checkpoints/details/${checkpointId}/subtasks/${vertex.id}`)
    ).json()) as { subtasks: { index: number; state_size: number }[] };
    const subtaskBytes = [...details.subtasks].sort((a, b) => a.index - b.index).map((s) => Number(s.state_size));
    return { checkpointId, vertex: vertex.name, subtaskBytes };
  }

  /** Row counts as queried. */
  async counts(): Promise<Counts> {
    const one = async (table: string) => {
      const result = await this.clickhouse.query({
        query: `SELECT count() AS n FROM ${table} FINAL`,
        format: 'JSONEachRow',
      });
      const rows = (await result.json()) as { n: string | number }[];
      return Number(rows[0]?.n ?? 0);
    };
    return {
      ticks: await one('ticks'),
      candles: await one('candles_1m'),
      alerts: await one('alerts'),
      rejected: await one('rejected'),
    };
  }

  /** Waits until every table has exactly the expected number of rows (or the deadline passes). */
  async waitForCounts(expected: Counts, timeoutMs: number): Promise<Counts> {
    let last: Counts = { ticks: 0, candles: 0, alerts: 0, rejected: 0 };
    const ok = await waitUntil(
      async () => {
        try {
          last = await this.counts();
        } catch {
          return false;
        }
        return (
          last.ticks >= expected.ticks &&
          last.candles >= expected.candles &&
          last.alerts >= expected.alerts &&
          last.rejected >= expected.rejected
        );
      },
      { timeoutMs, intervalMs: 1000 },
    );
    if (!ok) {
      throw new Error(
        `timed out after ${timeoutMs / 1000}s waiting for the results: expected ${JSON.stringify(expected)}, ` +
          `have ${JSON.stringify(last)}\n${this.logHint()}`,
      );
    }
    return last;
  }

  /** Waits until more than `before` ticks are visible; returns when that happened (epoch ms). */
  async waitForProgressBeyond(before: number, timeoutMs: number): Promise<number> {
    await eventually(
      `more than ${before} ticks are visible in ${this.config.clickhouse.database}.ticks`,
      async () => (await this.counts()).ticks > before,
      timeoutMs,
    );
    return Date.now();
  }

  /** Every result row, in a stable order. */
  async results(): Promise<ResultRows> {
    const rows = async <T>(query: string) =>
      (await (await this.clickhouse.query({ query, format: 'JSONEachRow' })).json()) as T[];
    const ticks = await rows<Record<string, unknown>>(
      'SELECT id, symbol, price, volume, toString(ts) AS ts, ts_ms FROM ticks FINAL ORDER BY id',
    );
    const candles = await rows<Record<string, unknown>>(
      'SELECT symbol, toString(window_start) AS window_start, open, high, low, close, volume, vwap, ticks FROM candles_1m FINAL ORDER BY symbol, window_start',
    );
    const alerts = await rows<Record<string, unknown>>(
      'SELECT symbol, toString(window_start) AS window_start, direction, move_pct, open, close FROM alerts FINAL ORDER BY symbol, window_start',
    );
    const rejected = await rows<{ origin: string; step: string; reason: string; raw: string }>(
      'SELECT origin, step, reason, raw FROM rejected FINAL',
    );
    // 64-bit integers arrive as JSON strings; compare as numbers.
    for (const t of ticks) t.volume = Number(t.volume);
    for (const c of candles) c.volume = Number(c.volume);
    rejected.sort(byRawThenOrigin);
    return { ticks, candles, alerts, rejected };
  }

  /** Reads the dead-letter topic as a read_committed consumer until `count` records arrived. */
  async readDeadLetters(
    count: number,
    timeoutMs: number,
  ): Promise<{ origin: string; step: string; reason: string; raw: string }[]> {
    const lines = await readCommitted({
      kafkaLibs: this.stack.layout.kafka.libs,
      brokers: this.config.kafka.brokers,
      topic: this.config.kafka.dlqTopic,
      count,
      timeoutMs,
    });
    const seen = lines.map((line) => JSON.parse(line) as { origin: string; step: string; reason: string; raw: string });
    return seen.sort(byRawThenOrigin);
  }

  /**
   * Cancels the job and stops the worker; drops the topics and the database unless `keepData`
   * (a failed scenario keeps them for inspection and says where they are).
   */
  async cleanup(keepData = false): Promise<void> {
    if (this.jobId) {
      const jobId = this.jobId;
      await this.flink.cancelJob(jobId).catch(() => {});
      await waitUntil(
        async () => {
          const job = (await this.flink.listJobs()).find((j) => j.jid === jobId);
          return job === undefined || ['CANCELED', 'FAILED', 'FINISHED'].includes(job.state);
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
    }
    if (this.worker && this.worker.exitCode === null) {
      const exited = new Promise((resolve) => this.worker?.once('exit', resolve));
      this.worker.kill('SIGTERM');
      await exited;
    }
    if (keepData) {
      console.log(
        `[e2e] ${this.name} failed: kept database ${this.config.clickhouse.database} and topics ` +
          `${this.config.kafka.ticksTopic}, ${this.config.kafka.dlqTopic} for inspection`,
      );
      await this.clickhouse.close();
      return;
    }
    const admin = this.kafka().admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [this.config.kafka.ticksTopic, this.config.kafka.dlqTopic] }).catch(() => {});
    await admin.disconnect();
    await this.clickhouse.command({ query: `DROP DATABASE IF EXISTS ${this.config.clickhouse.database}` });
    await this.clickhouse.close();
  }
}
