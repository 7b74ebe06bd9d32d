import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/stack/stack';
import { createWorkerClient } from '../src/worker/client';
import { readable, rec } from './helpers';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

describe('worker process (pipeline worker <file>)', () => {
  it.each([1, 2])(
    'with %i process(es): SIGTERM finishes the in-flight batch, then exits 0',
    async (processes) => {
      const dir = mkdtempSync(join(tmpdir(), 'worker-shutdown-'));
      const marker = join(dir, 'in-flight');
      const port = await freePort();
      let log = '';
      child = spawn(
        process.execPath,
        [
          // Not the tsx CLI: its signal relay SIGKILLs a child that is busy for more than 30 ms.
          '--import',
          'tsx',
          'pipeline/src/cli/main.ts',
          'worker',
          'pipeline/test/fixtures/slowPipeline.ts',
          '--port',
          String(port),
          '--processes',
          String(processes),
        ],
        { cwd: root, env: { ...process.env, SLOW_MARKER: marker, LOG_LEVEL: 'info', INIT_CWD: root } },
      );
      const exited = new Promise<number | null>((done) => child!.on('exit', (code) => done(code)));
      child.stdout!.on('data', (b: Buffer) => (log += b.toString()));
      child.stderr!.on('data', (b: Buffer) => (log += b.toString()));
      const client = createWorkerClient(`127.0.0.1:${port}`);
      try {
        await until(() => log.includes('"msg":"worker listening"'), 'the worker to listen');
        const call = client.process('work', [rec('slow', 'k', 1, 'in/0/0'), rec('fast', 'k', 2, 'in/0/1')]);
        await until(() => existsSync(marker), 'the batch to be in flight');
        child.kill('SIGTERM');
        const result = readable(await call);
        expect(result.outputs.map((o) => o.value)).toEqual(['SLOW', 'FAST']);
        expect(await exited).toBe(0);
        expect(log).toContain('"msg":"worker stopped"');
      } finally {
        client.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );

  it('replaces a crashed worker process and still stops cleanly when one is starting', async () => {
    const port = await freePort();
    let log = '';
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'pipeline/src/cli/main.ts',
        'worker',
        'pipeline/test/fixtures/slowPipeline.ts',
        '--port',
        String(port),
        '--processes',
        '2',
      ],
      { cwd: root, env: { ...process.env, LOG_LEVEL: 'info', INIT_CWD: root } },
    );
    const primary = child;
    const exited = new Promise<number | null>((done) => primary.on('exit', (code) => done(code)));
    primary.stdout!.on('data', (b: Buffer) => (log += b.toString()));
    primary.stderr!.on('data', (b: Buffer) => (log += b.toString()));
    const children = () =>
      readFileSync(`/proc/${primary.pid}/task/${primary.pid}/children`, 'utf8')
        .trim()
        .split(' ')
        .filter(Boolean)
        .map(Number);
    await until(() => log.includes('"msg":"worker listening"'), 'the worker to listen');
    const [victim] = children();
    process.kill(victim!, 'SIGKILL');
    await until(() => log.includes('"msg":"worker process exited; starting a new one"'), 'the crash to be noticed');
    await until(() => children().length === 2 && !children().includes(victim!), 'a replacement process');
    // Stop at once, while the replacement may still be loading: the primary must not hang.
    primary.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
