/**
 * The live reload with real processes: a worker cluster (2 processes) serves a pipeline module written
 * to a temporary directory; the test rewrites the module and asks for a reload (`requestReload`, what
 * `npm run worker:reload` runs), then checks what each call answers, that the port never refused a
 * connection, and that a call in flight on an old process is answered by the old logic.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/stack/stack';
import type { Descriptor } from '../src/descriptor/schema';
import { createWorkerClient } from '../src/worker/client';
import { fetchWorkerStatus } from '../src/worker/reload';
import { requestReload } from '../src/worker/reloadCommand';
import { fire, forward, readable, rec } from './helpers';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dsl = join(root, 'pipeline/src/dsl/index.ts');

interface ModuleSpec {
  logicVersion: string;
  factor: number;
  windowSizeMs: number;
  /** The window's declared version, or undefined for none. */
  windowVersion: string | undefined;
  /** The finish step's total (an expression over the accumulated `a.sum`). */
  total: string;
  /** Text that breaks the module (a syntax error). */
  broken?: boolean;
}

/** A pipeline module: scale each number by `factor` (to a sink), and sum them per key and window. */
function moduleText(spec: ModuleSpec): string {
  const windowOptions = spec.windowVersion === undefined ? '{}' : `{ version: ${JSON.stringify(spec.windowVersion)} }`;
  return `
import { existsSync, writeFileSync } from 'node:fs';
import { clickhouseTable, definePipeline, kafkaSource, kafkaTime, pipeline, tumbling } from ${JSON.stringify(dsl)};
const FACTOR = ${spec.factor};
const p = pipeline('reload-test', { logicVersion: ${JSON.stringify(spec.logicVersion)} });
const rows = p
  .source(kafkaSource({ name: 'read', topic: 'in', watermark: { maxOutOfOrdernessMs: 0, idlenessMs: 1 }, eventTime: kafkaTime() }))
  .map('scale', (r) => {
    if (r.value === 'slow') {
      // In flight until the test releases it (at most 60 s).
      writeFileSync(process.env.SLOW_MARKER, String(process.pid));
      const until = Date.now() + 60000;
      while (!existsSync(process.env.SLOW_RELEASE) && Date.now() < until) {}
      return { key: r.key, n: -1 * FACTOR };
    }
    return { key: r.key, n: Number(r.value) * FACTOR };
  });
rows.sink('write', clickhouseTable('out'));
rows
  .keyBy('by-key', (r) => r.key)
  .window('sums', tumbling(${spec.windowSizeMs}), ${windowOptions})
  .accumulate({ fields: (f) => ({ sum: f.sum((v) => v.n) }) })
  .finish((a) => ({ total: ${spec.total} }))
  .sink('write-sums', clickhouseTable('sums'));
p.deadLetter('dead-letter', [clickhouseTable('dead_letters')]);
export default definePipeline(() => p);
${spec.broken ? 'this is not valid TypeScript (' : ''}
`;
}

const V1: ModuleSpec = {
  logicVersion: 'v1',
  factor: 2,
  windowSizeMs: 60_000,
  windowVersion: '1',
  total: 'a.sum',
};

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('live reload of a worker cluster (real processes)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'worker-reload-'));
  const file = join(dir, 'pipeline.ts');
  const marker = join(dir, 'in-flight');
  const release = join(dir, 'release');
  let port = 0;
  let address = '';
  let worker: ChildProcess | undefined;
  let log = '';

  /** One Process call on a connection of its own; returns the output values. */
  async function scale(value: string): Promise<unknown[]> {
    const client = createWorkerClient(address, { ownConnection: true });
    try {
      return readable(await client.process('scale', [rec(value, 'k', 1, 'in/0/0')], 90_000)).outputs.map(
        (o) => o.value,
      );
    } finally {
      client.close();
    }
  }

  beforeAll(async () => {
    // An ES module like the project's own (without it tsx would load the file as CommonJS).
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    writeFileSync(file, moduleText(V1));
    port = await freePort();
    address = `127.0.0.1:${port}`;
    worker = spawn(
      process.execPath,
      ['--import', 'tsx', 'pipeline/src/cli/main.ts', 'worker', file, '--port', String(port), '--processes', '2'],
      {
        cwd: root,
        env: { ...process.env, LOG_LEVEL: 'info', INIT_CWD: root, SLOW_MARKER: marker, SLOW_RELEASE: release },
      },
    );
    worker.stdout!.on('data', (b: Buffer) => (log += b.toString()));
    worker.stderr!.on('data', (b: Buffer) => (log += b.toString()));
    await until(() => (log.includes('"msg":"worker listening"') ? true : undefined), 'the worker to listen');
  }, 90_000);

  afterEach((context) => {
    if (context.task.result?.state === 'fail') console.error(`worker log:\n${log.slice(-6000)}`);
  });

  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((r) => worker!.once('exit', r));
      worker.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves v1 and reports it in its status', async () => {
    expect(await scale('3')).toEqual([{ key: 'k', n: 6, logic_version: 'v1' }]);
    const status = await fetchWorkerStatus(address);
    expect(status.process.logicVersion).toBe('v1');
    expect(status.cluster).toMatchObject({ primaryPid: worker!.pid, generation: 1, logicVersion: 'v1', processes: 2 });
    expect(status.cluster!.reload).toMatchObject({ attempt: 0, state: 'idle' });
  });

  it('refuses a change to the descriptor or to an unversioned window, naming it; v1 keeps serving', async () => {
    writeFileSync(file, moduleText({ ...V1, logicVersion: 'v2', windowSizeMs: 30_000, windowVersion: '2' }));
    const outcome = await requestReload(address, 120_000);
    expect(outcome.state).toBe('refused');
    expect(outcome.message).toContain('descriptor nodes[sums].window.sizeMs: 60000 → 30000');
    expect(outcome.message).toContain('window sums: version "1" → "2"');
    expect(outcome.message).toContain('stop-with-savepoint');
    expect(await scale('3')).toEqual([{ key: 'k', n: 6, logic_version: 'v1' }]);
  });

  it('reports new logic that does not load as failed; v1 keeps serving', async () => {
    writeFileSync(file, moduleText({ ...V1, logicVersion: 'v2', broken: true }));
    const outcome = await requestReload(address, 120_000);
    expect(outcome.state).toBe('failed');
    expect(outcome.message).toContain('the new logic does not load');
    expect(await scale('3')).toEqual([{ key: 'k', n: 6, logic_version: 'v1' }]);
  });

  it('applies a compatible change live: the call in flight answers with v1, later calls with v2, the port never refuses', async () => {
    // A connection attempt every 20 ms for the whole reload: the shared port must never refuse one.
    let attempts = 0;
    let refused = 0;
    let probing = true;
    const prober = (async () => {
      while (probing) {
        await new Promise<void>((done) => {
          const socket = connect(port, '127.0.0.1');
          socket.once('connect', () => {
            attempts += 1;
            socket.destroy();
            done();
          });
          socket.once('error', () => {
            attempts += 1;
            refused += 1;
            done();
          });
        });
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    const inFlight = scale('slow');
    await until(() => (existsSync(marker) ? true : undefined), 'the slow call to be in flight');
    // Step code and the window's code change under the same window version: compatible.
    writeFileSync(file, moduleText({ ...V1, logicVersion: 'v2', factor: 3, total: '2 * a.sum' }));
    const reload = requestReload(address, 240_000);
    // The old process holding the call is retired only after it answers: the reload waits for it.
    await until(async () => {
      const s = await fetchWorkerStatus(address, 1_000).catch(() => undefined);
      return s?.cluster?.reload.state === 'draining' ? true : undefined;
    }, 'the reload to retire the old processes');
    expect(await scale('3')).toEqual([{ key: 'k', n: 9, logic_version: 'v2' }]);
    writeFileSync(release, '');
    expect(await inFlight).toEqual([{ key: 'k', n: -2, logic_version: 'v1' }]);
    const outcome = await reload;
    expect(outcome).toMatchObject({ state: 'done', fromVersion: 'v1', toVersion: 'v2' });
    probing = false;
    await prober;
    expect(refused).toBe(0);
    expect(attempts).toBeGreaterThan(10);

    expect(await scale('3')).toEqual([{ key: 'k', n: 9, logic_version: 'v2' }]);
    const status = await fetchWorkerStatus(address);
    expect(status.cluster).toMatchObject({ primaryPid: worker!.pid, generation: 2, logicVersion: 'v2' });
    expect(status.process).toMatchObject({ logicVersion: 'v2', generation: 2 });
    const client = createWorkerClient(address, { ownConnection: true });
    try {
      // The v2 chain scales 4 and 5 by 3 into one-record accumulators; the v2 finish doubles their sum.
      const keyed = await client.process('scale', [rec('4', 'k', 1, 'in/0/1'), rec('5', 'k', 2, 'in/0/2')]);
      const descriptor = JSON.parse((await client.describe()).descriptorJson) as Descriptor;
      const node = descriptor.nodes.find((n) => n.name === 'sums');
      if (node?.kind !== 'window') throw new Error('no sums window');
      const window = { key: 'k', start: 0, end: 60_000 };
      const sums = readable(await client.finish('sums', [fire(forward(keyed), 0, node.accumulator, window)]));
      expect(sums.outputs.map((o) => o.value)).toEqual([{ total: 54, logic_version: 'v2' }]);
    } finally {
      client.close();
    }
    expect(worker!.exitCode).toBeNull();
  }, 420_000);
});
