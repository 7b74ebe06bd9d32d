/**
 * The three ways the benchmark runs the stock pipeline on the local Flink cluster:
 *   bridge  - the TS worker (its own process tree) + the generic bridge job (flink/bridge);
 *   java    - the same logic written in Java, one Flink job (bench/native-java);
 *   pyflink - the same logic as Python functions, a PyFlink job (bench/pyflink), process mode.
 * Each gets its own topics, ClickHouse database, consumer group and job name, so runs never collide.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '@ticker/common';
import { BRIDGE_ENTRY_CLASS, bridgeProgramArgs } from '../../flink/src/bridge-args';
import { DEFAULT_PIPELINE, describePipeline, PIPELINE_CLI } from '../../flink/src/descriptor';
import { locateBridgeJar } from '../../flink/src/jar';
import type { FlinkRestClient } from '../../flink/src/rest/client';
import { createWorkerClient } from '../../pipeline/src/worker/client';
import { repoRoot, type StackLayout } from '../stack/layout';
import { freePort } from '../stack/stack';
import { waitUntil } from '../stack/wait';
import type { ProcessGroup } from './compare-proc';

export const ENGINES = ['bridge', 'java', 'pyflink'] as const;
export type EngineName = (typeof ENGINES)[number];

export const NATIVE_POM = resolve(repoRoot, 'bench/native-java/pom.xml');
export const NATIVE_JAR = resolve(repoRoot, 'bench/native-java/target/native-stock-bench.jar');
/** Only the benchmark's own classes (source + sink), for the PyFlink job. */
export const NATIVE_THIN_JAR = resolve(repoRoot, 'bench/native-java/target/original-native-stock-bench.jar');
const PYFLINK_DIR = resolve(repoRoot, 'bench/pyflink');
const FLINK_KAFKA_VERSION = '5.0.0-2.2';
const KAFKA_CLIENTS_VERSION = '4.2.0';
const FLINK_VERSION = '2.2.1';

/** The bridge's knobs (undefined = the bridge's default). */
export interface BridgeKnobs {
  batchSize?: number;
  batchTimeoutMs?: number;
  maxInFlight?: number;
  workerProcesses: number;
  /** Write a V8 CPU profile of each worker process into this directory. */
  cpuProfileDir?: string;
}

/** One deployment of one engine. */
export interface EngineRun {
  /** Unique id (lower-case letters, digits, dashes): job name, group id and log names derive from it. */
  id: string;
  topic: string;
  dlqTopic: string;
  database: string;
  parallelism: number;
  checkpointIntervalMs: number;
  sinkFlushMs: number;
  sinkBatchSize: number;
  bridge: BridgeKnobs;
}

export interface StartedEngine {
  jobId: string;
  /** Processes outside the Flink cluster that do this engine's work (the TS worker). */
  groups: ProcessGroup[];
  /** Cancels the job and stops the engine's own processes. */
  stop(): Promise<void>;
}

export interface EngineContext {
  config: Config;
  flink: FlinkRestClient;
  layout: StackLayout;
  log: (line: string) => void;
}

function run(command: string, args: string[], env?: NodeJS.ProcessEnv): { code: number; output: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  return { code: result.status ?? 1, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

/** Cancels a job and waits until Flink reports it ended. */
export async function cancelAndWait(flink: FlinkRestClient, jobId: string): Promise<void> {
  await flink.cancelJob(jobId).catch(() => undefined);
  await waitUntil(
    async () => {
      const job = (await flink.listJobs()).find((j) => j.jid === jobId);
      return job === undefined || ['CANCELED', 'FAILED', 'FINISHED'].includes(job.state);
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
}

async function runUploadedJar(
  ctx: EngineContext,
  jar: string,
  entryClass: string,
  programArgsList: string[],
): Promise<string> {
  const jarId = await ctx.flink.uploadJar(jar);
  try {
    return await ctx.flink.runJar(jarId, { entryClass, programArgsList });
  } finally {
    await ctx.flink.deleteJar(jarId).catch(() => undefined);
  }
}

/** The native job jar, built with Maven when missing. */
export function ensureNativeJar(log: (line: string) => void): void {
  if (existsSync(NATIVE_JAR) && existsSync(NATIVE_THIN_JAR)) return;
  log(`building ${NATIVE_JAR} (mvn -q -f ${NATIVE_POM} -DskipTests package)`);
  const built = run('mvn', ['-q', '-f', NATIVE_POM, '-DskipTests', 'package']);
  if (built.code !== 0 || !existsSync(NATIVE_JAR)) {
    throw new Error(`could not build the native benchmark job:\n${built.output.slice(-3000)}`);
  }
}

/** Where the PyFlink virtualenv lives (gitignored, under the stack directory). */
export function pyflinkVenv(layout: StackLayout): string {
  return join(layout.root, 'pyflink-venv');
}

/** Creates the PyFlink venv from bench/pyflink/requirements.txt when it is missing (pip, PyPI). */
export function ensurePyflinkVenv(layout: StackLayout, log: (line: string) => void): string {
  const venv = pyflinkVenv(layout);
  const python = join(venv, 'bin', 'python');
  const marker = join(venv, '.bench-requirements');
  const requirements = readFileSync(join(PYFLINK_DIR, 'requirements.txt'), 'utf8');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === requirements) return venv;
  if (!existsSync(python)) {
    log(`creating the PyFlink virtualenv ${venv}`);
    const created = run('python3', ['-m', 'venv', venv]);
    if (created.code !== 0) throw new Error(`python3 -m venv ${venv} failed:\n${created.output}`);
  }
  log('installing apache-flink and matplotlib into it (pip, several minutes the first time)');
  // The stack caches the apache-flink-libraries wheel; pip takes it from there instead of downloading again.
  const installed = run(python, [
    '-m',
    'pip',
    'install',
    '--find-links',
    join(layout.cache, 'pypi'),
    '-r',
    join(PYFLINK_DIR, 'requirements.txt'),
  ]);
  if (installed.code !== 0) throw new Error(`pip install into ${venv} failed:\n${installed.output.slice(-3000)}`);
  writeFileSync(marker, requirements);
  return venv;
}

function mavenJar(group: string, artifact: string, version: string): string {
  const home = process.env.HOME ?? '/root';
  return join(home, '.m2/repository', ...group.split('.'), artifact, version, `${artifact}-${version}.jar`);
}

/** The Kafka connector jars PyFlink needs (from Maven Central through Maven's cache). */
function pyflinkConnectorJars(log: (line: string) => void): string[] {
  const jars: [string, string, string][] = [
    ['org.apache.flink', 'flink-connector-kafka', FLINK_KAFKA_VERSION],
    ['org.apache.kafka', 'kafka-clients', KAFKA_CLIENTS_VERSION],
    ['org.apache.flink', 'flink-connector-base', FLINK_VERSION],
  ];
  return jars.map(([group, artifact, version]) => {
    const path = mavenJar(group, artifact, version);
    if (!existsSync(path)) {
      log(`fetching ${group}:${artifact}:${version} from Maven Central`);
      const got = run('mvn', [
        '-q',
        'dependency:get',
        `-Dartifact=${group}:${artifact}:${version}`,
        '-Dtransitive=false',
      ]);
      if (got.code !== 0 || !existsSync(path))
        throw new Error(`could not fetch ${artifact} ${version}:\n${got.output}`);
    }
    return path;
  });
}

async function startBridge(ctx: EngineContext, r: EngineRun): Promise<StartedEngine> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PIPELINE_NAME: `bench-${r.id}`.slice(0, 63),
    TICKS_TOPIC: r.topic,
    DLQ_TOPIC: r.dlqTopic,
    CLICKHOUSE_DATABASE: r.database,
    WORKER_PORT: String(port),
    WORKER_ADDRESS: `localhost:${port}`,
    WORKER_PROCESSES: String(r.bridge.workerProcesses),
    LOG_LEVEL: 'warn',
  };
  mkdirSync(ctx.layout.logs, { recursive: true });
  const logFile = join(ctx.layout.logs, `bench-compare-${r.id}-worker.log`);
  const out = openSync(logFile, 'a');
  const profile = r.bridge.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', r.bridge.cpuProfileDir] : [];
  const worker: ChildProcess = spawn(
    process.execPath,
    [...profile, '--import', import.meta.resolve('tsx'), PIPELINE_CLI, 'worker', DEFAULT_PIPELINE],
    { env, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  const exited = new Promise<void>((done) => worker.once('exit', () => done()));
  const stopWorker = async () => {
    if (worker.exitCode === null && worker.signalCode === null) {
      worker.kill('SIGTERM');
      await exited;
    }
  };
  try {
    const client = createWorkerClient(`localhost:${port}`);
    const answered = await waitUntil(
      async () => {
        await client.describe();
        return true;
      },
      // Generous: on a loaded machine tsx compiling the pipeline in every cluster process takes a while.
      { timeoutMs: 180_000, intervalMs: 250 },
    );
    client.close();
    if (!answered) throw new Error(`the TS worker did not answer on localhost:${port} within 180 s; see ${logFile}`);
    const descriptor = await describePipeline(DEFAULT_PIPELINE, env);
    const jar = await locateBridgeJar({ onBuild: (command) => ctx.log(`building the bridge jar: ${command}`) });
    const args = bridgeProgramArgs({
      descriptorJson: descriptor.json,
      workerAddress: `localhost:${port}`,
      kafkaBrokers: ctx.config.kafka.brokers,
      clickhouse: {
        url: ctx.config.clickhouse.url,
        database: r.database,
        user: ctx.config.clickhouse.user,
        password: ctx.config.clickhouse.password,
      },
      parallelism: r.parallelism,
      batchSize: r.bridge.batchSize,
      batchTimeoutMs: r.bridge.batchTimeoutMs,
      maxInFlight: r.bridge.maxInFlight,
      checkpointIntervalMs: r.checkpointIntervalMs,
      sinkBatchSize: r.sinkBatchSize,
      sinkFlushMs: r.sinkFlushMs,
      groupId: `bench-${r.id}`,
    });
    const jobId = await runUploadedJar(ctx, jar, BRIDGE_ENTRY_CLASS, args);
    return {
      jobId,
      groups: [{ label: 'worker', roots: [worker.pid as number] }],
      stop: async () => {
        await cancelAndWait(ctx.flink, jobId);
        await stopWorker();
      },
    };
  } catch (error) {
    await stopWorker();
    throw error;
  }
}

function commonJobArgs(ctx: EngineContext, r: EngineRun, jobName: string): string[] {
  return [
    '--kafka-brokers',
    ctx.config.kafka.brokers.join(','),
    '--topic',
    r.topic,
    '--dlq-topic',
    r.dlqTopic,
    '--group-id',
    jobName,
    '--clickhouse-url',
    ctx.config.clickhouse.url,
    '--clickhouse-database',
    r.database,
    '--parallelism',
    String(r.parallelism),
    '--checkpoint-interval-ms',
    String(r.checkpointIntervalMs),
    '--sink-batch-size',
    String(r.sinkBatchSize),
    '--sink-flush-ms',
    String(r.sinkFlushMs),
    '--job-name',
    jobName,
  ];
}

async function startJava(ctx: EngineContext, r: EngineRun): Promise<StartedEngine> {
  ensureNativeJar(ctx.log);
  const jobName = `bench-java-${r.id}`;
  const jobId = await runUploadedJar(
    ctx,
    NATIVE_JAR,
    'dev.ticker.bench.NativeStockJob',
    commonJobArgs(ctx, r, jobName),
  );
  return { jobId, groups: [], stop: () => cancelAndWait(ctx.flink, jobId) };
}

async function startPyflink(ctx: EngineContext, r: EngineRun): Promise<StartedEngine> {
  ensureNativeJar(ctx.log);
  const venv = ensurePyflinkVenv(ctx.layout, ctx.log);
  const python = join(venv, 'bin', 'python');
  const flinkBin = run(python, ['-c', 'import pyflink, os; print(os.path.dirname(pyflink.__file__))']);
  if (flinkBin.code !== 0) throw new Error(`pyflink is not importable from ${python}:\n${flinkBin.output}`);
  const pyflinkHome = flinkBin.output.trim();
  // The flink CLI of the wheel, pointed at the stack's REST endpoint, with Flink's Java 17 flags.
  const confDir = join(ctx.layout.root, 'bench', 'pyflink-conf');
  mkdirSync(confDir, { recursive: true });
  const clusterConf = readFileSync(join(ctx.layout.flink.conf, 'config.yaml'), 'utf8');
  const javaOpts = clusterConf.split('\n').find((line) => line.startsWith('env.java.opts.all:')) ?? '';
  const rest = new URL(ctx.config.flink.url);
  writeFileSync(
    join(confDir, 'config.yaml'),
    `# Written by scripts/bench/compare.ts: the flink CLI's view of the local stack.\nrest.address: ${rest.hostname}\nrest.port: ${rest.port || '8081'}\n${javaOpts}\n`,
  );
  const jars = [NATIVE_THIN_JAR, ...pyflinkConnectorJars(ctx.log)].map((j) => `file://${j}`).join(',');
  const jobName = `bench-pyflink-${r.id}`;
  const submitted = run(
    join(pyflinkHome, 'bin', 'flink'),
    [
      'run',
      '-d',
      '-py',
      join(PYFLINK_DIR, 'stock_job.py'),
      '-pyfs',
      join(PYFLINK_DIR, 'stock_logic.py'),
      '-pyexec',
      python,
      '-pyclientexec',
      python,
      ...commonJobArgs(ctx, r, jobName),
      '--jars',
      jars,
    ],
    { ...process.env, FLINK_CONF_DIR: confDir, PATH: `${join(venv, 'bin')}:${process.env.PATH ?? ''}` },
  );
  const match = /Job has been submitted with JobID ([0-9a-f]{32})/.exec(submitted.output);
  if (submitted.code !== 0 || !match) {
    const lines = submitted.output.split('\n').filter((l) => !/^\s+at |^\s+\.\.\. \d+ more/.test(l));
    throw new Error(`flink run -py failed (exit ${submitted.code}):\n${lines.slice(-40).join('\n')}`);
  }
  const jobId = match[1] as string;
  return { jobId, groups: [], stop: () => cancelAndWait(ctx.flink, jobId) };
}

/** Deploys one engine's job (returns once Flink accepted it; see waitAllTasksRunning). */
export function startEngine(engine: EngineName, ctx: EngineContext, r: EngineRun): Promise<StartedEngine> {
  switch (engine) {
    case 'bridge':
      return startBridge(ctx, r);
    case 'java':
      return startJava(ctx, r);
    case 'pyflink':
      return startPyflink(ctx, r);
  }
}

interface SubtaskTimes {
  subtasks: { timestamps: Record<string, number> }[];
}

/**
 * Waits until every subtask of the job runs and returns when the last one switched to RUNNING
 * (Flink's own timestamp): from then on every operator can move records. `onRunning` is called
 * as soon as that is seen (the caller's CPU snapshot), before the timestamps are fetched.
 */
export async function waitAllTasksRunning(
  ctx: EngineContext,
  jobId: string,
  timeoutMs: number,
  onRunning: () => void = () => {},
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await ctx.flink.job(jobId);
    // RESTARTING is survivable (e.g. another job's test replaced the TaskManager): the run is then
    // marked disturbed by the caller and repeated; only a terminal state ends the wait.
    if (['FAILED', 'CANCELED', 'FINISHED'].includes(job.state)) {
      const exceptions = await ctx.flink.jobExceptions(jobId).catch(() => undefined);
      throw new Error(`job ${jobId} is ${job.state} while starting: ${JSON.stringify(exceptions)?.slice(0, 2000)}`);
    }
    const running = job.state === 'RUNNING' && job.vertices.every((v) => (v.tasks.RUNNING ?? 0) === v.parallelism);
    if (running) {
      onRunning();
      let last = 0;
      for (const vertex of job.vertices) {
        const res = await fetch(`${ctx.flink.url}/jobs/${jobId}/vertices/${vertex.id}/subtasktimes`);
        const times = (await res.json()) as SubtaskTimes;
        for (const s of times.subtasks) last = Math.max(last, s.timestamps.RUNNING ?? 0);
      }
      return last;
    }
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not have every task RUNNING within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
