import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bridgeProgramArgs, redactProgramArgs } from '../src/bridge-args';
import { DescriptorError, parseDescriptor } from '../src/descriptor';
import { JarMissingError, locateBridgeJar } from '../src/jar';
import { isJobOfPipeline, rootExceptionText } from '../src/jobs';
import { SavepointStore } from '../src/savepoint-store';
import { descriptor, exceptions } from './fixtures';

describe('bridge arguments', () => {
  const base = {
    descriptorJson: '{"a":1}',
    workerAddress: 'localhost:50051',
    kafkaBrokers: ['localhost:9092'],
    clickhouse: { url: 'http://localhost:8123', database: 'stocks', user: 'default', password: '' },
  };
  it('passes only what was set, in the contract spelling', () => {
    expect(bridgeProgramArgs({ ...base, sinkFlushMs: 200, callRetries: 0, groupId: 'g' })).toEqual([
      '--descriptor-base64',
      'eyJhIjoxfQ==',
      '--worker',
      'localhost:50051',
      '--kafka-brokers',
      'localhost:9092',
      '--clickhouse-url',
      'http://localhost:8123',
      '--clickhouse-database',
      'stocks',
      '--clickhouse-user',
      'default',
      '--clickhouse-password',
      '',
      '--call-retries',
      '0',
      '--sink-flush-ms',
      '200',
      '--group-id',
      'g',
    ]);
  });
  it('redacts the password and the descriptor for printing', () => {
    const args = bridgeProgramArgs({ ...base, clickhouse: { ...base.clickhouse, password: 'pw' } });
    const shown = redactProgramArgs(args);
    expect(shown[1]).toBe('<12 base64 chars>');
    expect(shown[shown.indexOf('--clickhouse-password') + 1]).toBe('***');
  });
});

describe('descriptor', () => {
  it('keeps the exact text and validates it', () => {
    const json = `${JSON.stringify(descriptor)}\n`;
    const loaded = parseDescriptor(json, 'test');
    expect(loaded.json).toBe(JSON.stringify(descriptor));
    expect(loaded.descriptor.name).toBe('stock-pipeline');
  });
  it('refuses another descriptor version first, naming both versions (as the bridge does)', () => {
    expect(() => parseDescriptor(JSON.stringify({ ...descriptor, version: 1 }), 'file d.json')).toThrow(
      new DescriptorError('file d.json has descriptor version 1; this tooling and the bridge support 3'),
    );
  });

  it('names the bad field of an invalid descriptor', () => {
    const bad = JSON.stringify({ ...descriptor, parallelism: 0 });
    expect(() => parseDescriptor(bad, '`pipeline describe`')).toThrow(DescriptorError);
    expect(() => parseDescriptor(bad, '`pipeline describe`')).toThrow(
      /^`pipeline describe` is not a valid pipeline descriptor:\n {2}parallelism: /,
    );
    expect(() => parseDescriptor('not json', 'x')).toThrow(/^x did not produce JSON/);
  });
});

describe('jar', () => {
  it('fails with the path and the build command when --jar names a missing file', async () => {
    const error = await locateBridgeJar({ explicitPath: '/nowhere/ticker-bridge.jar' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JarMissingError);
    const lines = (error as Error).message.split('\n');
    expect(lines[0]).toBe(
      'bridge jar missing: /nowhere/ticker-bridge.jar (the file given with --jar does not exist or is not readable).',
    );
    expect(lines[1]).toMatch(
      /^Build it with: mvn -q -f \/.+\/flink\/bridge\/pom\.xml package {3}\(needs Java 17 and Maven\)$/,
    );
  });
});

describe('jobs', () => {
  it('matches job names to pipelines', () => {
    expect(isJobOfPipeline('stock-pipeline', 'stock-pipeline')).toBe(true);
    expect(isJobOfPipeline('ticker-bridge: stock-pipeline', 'stock-pipeline')).toBe(true);
    expect(isJobOfPipeline('stock-pipeline-2', 'stock-pipeline')).toBe(false);
  });
  it('puts the deepest cause first', () => {
    const text = rootExceptionText(exceptions, 2)!;
    expect(text.split('\n')).toEqual([
      'io.grpc.StatusRuntimeException: UNAVAILABLE: io exception (worker at worker:50051) (in Source: ticks -> parse (1/2))',
      "--- Flink's exception (newest, first 2 lines) ---",
      'org.apache.flink.runtime.JobException: Recovery is suppressed by NoRestartBackoffTimeStrategy',
      '\tat org.apache.flink.runtime.Foo.bar(Foo.java:1)',
    ]);
    expect(rootExceptionText({ exceptionHistory: { entries: [] } })).toBeUndefined();
  });
});

describe('savepoint store', () => {
  it('returns the newest savepoint of a pipeline and reports a corrupt file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sp-'));
    const store = new SavepointStore(join(dir, 'savepoints.json'));
    expect(await store.latest('stock-pipeline')).toBeUndefined();
    await store.add({ pipeline: 'stock-pipeline', jobId: 'a', path: 'file:/sp/1', takenAt: '2024-01-01T00:00:00Z' });
    await store.add({ pipeline: 'other', jobId: 'b', path: 'file:/sp/2', takenAt: '2024-01-02T00:00:00Z' });
    await store.add({ pipeline: 'stock-pipeline', jobId: 'c', path: 'file:/sp/3', takenAt: '2024-01-03T00:00:00Z' });
    expect((await store.latest('stock-pipeline'))?.path).toBe('file:/sp/3');
    expect((await store.latest('other'))?.path).toBe('file:/sp/2');
    await writeFile(store.file, '{oops');
    await expect(store.all()).rejects.toThrow(
      `savepoint record file ${store.file} is not valid JSON; fix or delete it`,
    );
  });
});

describe('retained checkpoints', () => {
  it('finds the newest complete checkpoint of a job and skips unfinished ones', async () => {
    const { mkdir, utimes } = await import('node:fs/promises');
    const { newestRetainedCheckpoint } = await import('../src/retained-checkpoint');
    const dir = await mkdtemp(join(tmpdir(), 'chk-'));
    for (const [id, complete] of [
      [7, true],
      [12, true],
      [13, false],
    ] as const) {
      await mkdir(join(dir, 'job-a', `chk-${id}`), { recursive: true });
      if (complete) await writeFile(join(dir, 'job-a', `chk-${id}`, '_metadata'), 'x');
    }
    await mkdir(join(dir, 'job-a', 'shared'));
    await utimes(
      join(dir, 'job-a', 'chk-12', '_metadata'),
      new Date('2026-01-01T00:00:05Z'),
      new Date('2026-01-01T00:00:05Z'),
    );
    expect(await newestRetainedCheckpoint(dir, 'job-a')).toEqual({
      path: `file:${join(dir, 'job-a', 'chk-12')}`,
      id: 12,
      completedAt: new Date('2026-01-01T00:00:05Z'),
    });
    expect(await newestRetainedCheckpoint(dir, 'job-b')).toBeUndefined();
  });
});

describe('run refusals', () => {
  it("headline the bridge's own reason, else the deepest cause", async () => {
    const { refusalHeadline } = await import('../src/deploy');
    const refusal = [
      'org.apache.flink.runtime.rest.handler.RestHandlerException: Could not execute application.',
      'Caused by: org.apache.flink.client.program.ProgramInvocationException: The main method caused an error: worker at 127.0.0.1:1 did not answer Describe within 1000 ms; is it running?',
      '\t... 4 more',
      'Caused by: io.grpc.StatusRuntimeException: DEADLINE_EXCEEDED',
    ].join('\n');
    expect(refusalHeadline(refusal)).toBe(
      'worker at 127.0.0.1:1 did not answer Describe within 1000 ms; is it running?',
    );
    expect(refusalHeadline('top\nCaused by: a.B: first\nCaused by: c.D: deepest')).toBe('c.D: deepest');
    expect(refusalHeadline('just one line')).toBe('just one line');
  });
});
