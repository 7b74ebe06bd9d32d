import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlreadyRunningError, deploy, JobStartError } from '../src/deploy';
import { memoryReporter } from '../src/report';
import { FlinkRestClient } from '../src/rest/client';
import { SavepointStore } from '../src/savepoint-store';
import { SavepointFailedError, stopJob } from '../src/stop';
import { FakeFlink } from './fake-flink';
import { descriptor, exceptions, jobDetails, jobOverview, loadedDescriptor, overview } from './fixtures';

const target = {
  workerAddress: 'worker:50051',
  kafkaBrokers: ['kafka:9092', 'kafka2:9092'],
  clickhouse: { url: 'http://clickhouse:8123', database: 'test_db', user: 'default', password: 's3cret' },
};

describe('deploy and stop against a stand-in Flink', () => {
  let flink: FakeFlink;
  let client: FlinkRestClient;
  let store: SavepointStore;
  let jar: string;

  beforeEach(async () => {
    flink = await new FakeFlink().start();
    client = new FlinkRestClient({ url: flink.url });
    const dir = await mkdtemp(join(tmpdir(), 'deploy-'));
    store = new SavepointStore(join(dir, 'state', 'savepoints.json'));
    jar = join(dir, 'ticker-bridge.jar');
    await writeFile(jar, 'jar');
    flink
      .on('GET /overview', () => ({ json: overview }))
      .on('POST /jars/upload', () => ({ json: { filename: '/tmp/up/abc_ticker-bridge.jar', status: 'success' } }))
      .on('POST /jars/abc_ticker-bridge.jar/run', () => ({ json: { jobid: 'job-1' } }))
      .on('DELETE /jars/abc_ticker-bridge.jar', () => ({ json: {} }))
      .on('PATCH /jobs/job-1', () => ({ status: 202, json: {} }));
  });
  afterEach(() => flink.stop());

  it('uploads, runs with the bridge arguments and waits until every task runs', async () => {
    flink.on('GET /jobs/overview', () => ({ json: { jobs: [jobOverview('old', 'stock-pipeline', 'CANCELED')] } }));
    flink.sequence('GET /jobs/job-1', [
      jobDetails('job-1', 'INITIALIZING', [0, 0]),
      jobDetails('job-1', 'RUNNING', [2, 1]),
      jobDetails('job-1', 'RUNNING', [2, 2]),
    ]);
    const reporter = memoryReporter();
    const result = await deploy(client, store, reporter, {
      descriptor: loadedDescriptor,
      jar: async () => jar,
      target,
      parallelism: 3,
      tuning: { batchSize: 250 },
      timeoutMs: 10_000,
    });
    expect(result).toEqual({ jobId: 'job-1', restoredFrom: undefined, alreadyRunning: false });

    const run = JSON.parse(flink.calls('POST /jars/abc_ticker-bridge.jar/run')[0]!.body.toString());
    const descriptorB64 = Buffer.from(JSON.stringify(descriptor)).toString('base64');
    expect(run).toEqual({
      entryClass: 'dev.ticker.bridge.BridgeJob',
      parallelism: 3,
      programArgsList: [
        '--descriptor-base64',
        descriptorB64,
        '--worker',
        'worker:50051',
        '--kafka-brokers',
        'kafka:9092,kafka2:9092',
        '--clickhouse-url',
        'http://clickhouse:8123',
        '--clickhouse-database',
        'test_db',
        '--clickhouse-user',
        'default',
        '--clickhouse-password',
        's3cret',
        '--parallelism',
        '3',
        '--batch-size',
        '250',
      ],
    });
    expect(flink.calls('GET /jobs/job-1')).toHaveLength(3);
    expect(flink.calls('DELETE /jars/abc_ticker-bridge.jar')).toHaveLength(1);
    expect(flink.calls('PATCH /jobs/job-1')).toHaveLength(0);
    expect(reporter.lines.filter((l) => l.startsWith('['))).toEqual([
      `[1] Checking Flink at ${flink.url}`,
      '[2] Locating the bridge jar',
      '[3] Uploading the bridge jar',
      '[4] Starting pipeline "stock-pipeline"',
      '[5] Waiting until every task is RUNNING',
    ]);
    expect(reporter.lines).toContain('    RUNNING: 2 operators, 4 tasks');
    // the password never reaches the output
    expect(reporter.lines.join('\n')).not.toContain('s3cret');
  });

  it('refuses a second copy of a running pipeline, and --if-not-running accepts it', async () => {
    flink.on('GET /jobs/overview', () => ({ json: { jobs: [jobOverview('job-0', 'stock-pipeline', 'RUNNING')] } }));
    const options = { descriptor: loadedDescriptor, jar: async () => jar, target };
    const error = await deploy(client, store, memoryReporter(), options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlreadyRunningError);
    expect((error as Error).message).toBe(
      'pipeline "stock-pipeline" is already running as job job-0 (RUNNING). ' +
        'Use --replace to stop it with a savepoint and deploy from that savepoint, or stop it first.',
    );
    const kept = await deploy(client, store, memoryReporter(), { ...options, ifNotRunning: true });
    expect(kept).toEqual({ jobId: 'job-0', alreadyRunning: true });
    expect(flink.calls('POST /jars/upload')).toHaveLength(0);
  });

  it("shows Flink's root cause and cancels the job when it fails while starting", async () => {
    flink.on('GET /jobs/overview', () => ({ json: { jobs: [] } }));
    flink.sequence('GET /jobs/job-1', [
      jobDetails('job-1', 'INITIALIZING', [0, 0]),
      jobDetails('job-1', 'FAILED', [0, 0]),
    ]);
    flink.on('GET /jobs/job-1/exceptions', () => ({ json: exceptions }));
    const error = await deploy(client, store, memoryReporter(), {
      descriptor: loadedDescriptor,
      jar: async () => jar,
      target,
      timeoutMs: 10_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobStartError);
    const message = (error as Error).message;
    expect(message.split('\n')[0]).toBe(
      'job job-1 FAILED while starting: io.grpc.StatusRuntimeException: UNAVAILABLE: io exception (worker at worker:50051) (in Source: ticks -> parse (1/2))',
    );
    expect(message).toContain('Caused by: java.lang.IllegalStateException: worker descriptor sha256 differs');
    expect(message).toMatch(/The job was cancelled\.$/);
    expect(flink.calls('PATCH /jobs/job-1')[0]?.path).toBe('/jobs/job-1?mode=cancel');
  });

  it("reports Flink's refusal of the run request", async () => {
    flink.on('GET /jobs/overview', () => ({ json: { jobs: [] } }));
    flink.on('POST /jars/abc_ticker-bridge.jar/run', () => ({
      status: 400,
      json: {
        errors: ['org.apache.flink.client.program.ProgramInvocationException: unsupported descriptor version 2'],
      },
    }));
    const error = await deploy(client, store, memoryReporter(), {
      descriptor: loadedDescriptor,
      jar: async () => jar,
      target,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobStartError);
    expect((error as Error).message).toBe(
      'Flink refused to start the job: org.apache.flink.client.program.ProgramInvocationException: unsupported descriptor version 2\n' +
        'org.apache.flink.client.program.ProgramInvocationException: unsupported descriptor version 2',
    );
    expect(flink.calls('DELETE /jars/abc_ticker-bridge.jar')).toHaveLength(1);
  });

  it('stop takes a savepoint, records it, and deploy --from-latest-savepoint restores from it', async () => {
    flink.on('GET /jobs/overview', () => ({ json: { jobs: [jobOverview('job-0', 'stock-pipeline', 'RUNNING')] } }));
    flink.on('POST /jobs/job-0/stop', () => ({ status: 202, json: { 'request-id': 'trig-1' } }));
    flink.sequence('GET /jobs/job-0/savepoints/trig-1', [
      { status: { id: 'IN_PROGRESS' }, operation: null },
      { status: { id: 'COMPLETED' }, operation: { location: 'file:/state/savepoints/savepoint-aaaa-1' } },
    ]);
    const stopped = await stopJob(client, store, memoryReporter(), { name: 'stock-pipeline', targetDirectory: '/sp' });
    expect(stopped).toEqual({
      jobId: 'job-0',
      jobName: 'stock-pipeline',
      savepointPath: 'file:/state/savepoints/savepoint-aaaa-1',
    });
    expect(JSON.parse(flink.calls('POST /jobs/job-0/stop')[0]!.body.toString())).toEqual({
      drain: false,
      targetDirectory: '/sp',
    });
    const saved = JSON.parse(await readFile(store.file, 'utf8'));
    expect(saved.savepoints).toHaveLength(1);
    expect(saved.savepoints[0]).toMatchObject({
      pipeline: 'stock-pipeline',
      jobId: 'job-0',
      path: 'file:/state/savepoints/savepoint-aaaa-1',
    });

    flink.on('GET /jobs/overview', () => ({ json: { jobs: [jobOverview('job-0', 'stock-pipeline', 'FINISHED')] } }));
    flink.on('GET /jobs/job-1', () => ({ json: jobDetails('job-1', 'RUNNING', [2, 2]) }));
    const reporter = memoryReporter();
    const result = await deploy(client, store, reporter, {
      descriptor: loadedDescriptor,
      jar: async () => jar,
      target,
      fromLatestSavepoint: true,
    });
    expect(result.restoredFrom).toBe('file:/state/savepoints/savepoint-aaaa-1');
    const run = JSON.parse(flink.calls('POST /jars/abc_ticker-bridge.jar/run')[0]!.body.toString());
    expect(run.savepointPath).toBe('file:/state/savepoints/savepoint-aaaa-1');
    expect(reporter.lines).toContain(
      '[5] Starting pipeline "stock-pipeline" from savepoint file:/state/savepoints/savepoint-aaaa-1',
    );
  });

  it('--from-latest-savepoint with nothing recorded starts fresh', async () => {
    flink.on('GET /jobs/overview', () => ({ json: { jobs: [] } }));
    flink.on('GET /jobs/job-1', () => ({ json: jobDetails('job-1', 'RUNNING', [2, 2]) }));
    const reporter = memoryReporter();
    const result = await deploy(client, store, reporter, {
      descriptor: loadedDescriptor,
      jar: async () => jar,
      target,
      fromLatestSavepoint: true,
    });
    expect(result.restoredFrom).toBeUndefined();
    expect(reporter.lines).toContain(`[2] No savepoint recorded for "stock-pipeline" in ${store.file}; starting fresh`);
    const run = JSON.parse(flink.calls('POST /jars/abc_ticker-bridge.jar/run')[0]!.body.toString());
    expect(run.savepointPath).toBeUndefined();
  });

  it('--from-latest-savepoint prefers a newer retained checkpoint of the last deployed job', async () => {
    const { mkdir, utimes } = await import('node:fs/promises');
    const checkpoints = join(dirname(store.file), 'checkpoints');
    await mkdir(join(checkpoints, 'job-0', 'chk-42'), { recursive: true });
    await writeFile(join(checkpoints, 'job-0', 'chk-42', '_metadata'), 'x');
    const completed = new Date('2026-01-02T00:00:00Z');
    await utimes(join(checkpoints, 'job-0', 'chk-42', '_metadata'), completed, completed);
    await store.add({
      pipeline: 'stock-pipeline',
      jobId: 'old',
      path: 'file:/sp/old',
      takenAt: '2026-01-01T00:00:00Z',
    });
    await store.addDeployment({ pipeline: 'stock-pipeline', jobId: 'job-0', deployedAt: '2026-01-01T00:00:01Z' });
    flink.on('GET /jobs/overview', () => ({ json: { jobs: [] } }));
    flink.on('GET /jobs/job-1', () => ({ json: jobDetails('job-1', 'RUNNING', [2, 2]) }));
    const options = { descriptor: loadedDescriptor, jar: async () => jar, target, fromLatestSavepoint: true };

    const reporter = memoryReporter();
    const result = await deploy(client, store, reporter, { ...options, checkpointsDir: checkpoints });
    expect(result.restoredFrom).toBe(`file:${join(checkpoints, 'job-0', 'chk-42')}`);
    expect(reporter.lines).toContain(
      '[2] Restoring from the newest retained checkpoint of job job-0 (chk-42, 2026-01-02T00:00:00.000Z)',
    );
    // The new job is now the pipeline's last deployment; it has no checkpoints yet, so the savepoint wins.
    expect((await store.latestDeployment('stock-pipeline'))?.jobId).toBe('job-1');
    const again = await deploy(client, store, memoryReporter(), { ...options, checkpointsDir: checkpoints });
    expect(again.restoredFrom).toBe('file:/sp/old');
  });

  it('--replace stops the running copy with a savepoint and restores the new job from it', async () => {
    let stopped = false;
    flink.on('GET /jobs/overview', () => ({
      json: { jobs: [jobOverview('job-0', 'stock-pipeline', stopped ? 'FINISHED' : 'RUNNING')] },
    }));
    flink.on('POST /jobs/job-0/stop', () => {
      stopped = true;
      return { status: 202, json: { 'request-id': 't' } };
    });
    flink.on('GET /jobs/job-0/savepoints/t', () => ({
      json: { status: { id: 'COMPLETED' }, operation: { location: 'file:/sp/savepoint-0' } },
    }));
    flink.on('GET /jobs/job-1', () => ({ json: jobDetails('job-1', 'RUNNING', [2, 2]) }));
    const result = await deploy(client, store, memoryReporter(), {
      descriptor: loadedDescriptor,
      jar: async () => jar,
      target,
      replace: true,
    });
    expect(result).toEqual({ jobId: 'job-1', restoredFrom: 'file:/sp/savepoint-0', alreadyRunning: false });
    expect((await store.latest('stock-pipeline'))?.path).toBe('file:/sp/savepoint-0');
  });

  it("stop reports Flink's savepoint failure and records nothing", async () => {
    flink.on('GET /jobs/overview', () => ({ json: { jobs: [jobOverview('job-0', 'stock-pipeline', 'RUNNING')] } }));
    flink.on('POST /jobs/job-0/stop', () => ({ status: 202, json: { 'request-id': 't' } }));
    flink.on('GET /jobs/job-0/savepoints/t', () => ({
      json: {
        status: { id: 'COMPLETED' },
        operation: {
          'failure-cause': {
            class: 'java.lang.IllegalStateException',
            'stack-trace':
              'java.lang.IllegalStateException: No savepoint directory configured. You can either specify a directory',
          },
        },
      },
    }));
    flink.on('GET /jobs/job-0/exceptions', () => ({ json: { exceptionHistory: { entries: [], truncated: false } } }));
    const error = await stopJob(client, store, memoryReporter(), {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SavepointFailedError);
    expect((error as Error).message).toBe(
      'savepoint of job job-0 failed; the job keeps running.\n' +
        'java.lang.IllegalStateException: No savepoint directory configured. You can either specify a directory\n' +
        'Hint: the cluster has no default savepoint directory; pass --savepoint-dir <dir>.',
    );
    expect(await store.all()).toEqual([]);
  });
});
