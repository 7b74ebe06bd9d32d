import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { managedProcess, runningPid, startProcess, stopProcess } from './processes';
import { waitUntil } from './wait';

describe('process management', () => {
  it('starts a process, recognises it by its marker, and stops it with SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stack-proc-'));
    const proc = managedProcess(join(dir, 'run'), join(dir, 'logs'), 'sleeper');
    // `dir` rides along as the shell's $0 so that the command line carries the marker.
    const pid = startProcess(proc, 'sh', ['-c', 'sleep 300', dir], { cwd: dir });
    expect(runningPid(proc, dir)).toBe(pid);
    expect(runningPid(proc, '/some/other/stack')).toBeUndefined();
    expect(await stopProcess(proc, dir, 5000)).toBe('stopped');
    expect(runningPid(proc, dir)).toBeUndefined();
    expect(await stopProcess(proc, dir, 5000)).toBe('not running');
  });

  it('kills a process that ignores SIGTERM after the grace period', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stack-proc-'));
    const proc = managedProcess(join(dir, 'run'), join(dir, 'logs'), 'stubborn');
    const ready = join(dir, 'ready');
    startProcess(proc, 'sh', ['-c', `trap "" TERM; touch ${ready}; while true; do sleep 0.1; done`, dir], { cwd: dir });
    // Signal only once the shell ignores SIGTERM, or the test would race its startup.
    expect(await waitUntil(() => existsSync(ready), { timeoutMs: 10_000, intervalMs: 20 })).toBe(true);
    expect(runningPid(proc, dir)).toBeDefined();
    expect(await stopProcess(proc, dir, 300)).toBe('killed');
    expect(runningPid(proc, dir)).toBeUndefined();
  });

  it('never treats a pid file pointing at someone else’s process as its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stack-proc-'));
    const proc = managedProcess(join(dir, 'run'), join(dir, 'logs'), 'foreign');
    startProcess(proc, 'true', [], { cwd: dir });
    writeFileSync(proc.pidFile, `${process.pid}\n`); // this test runner: alive, but not started by the stack
    expect(runningPid(proc, dir)).toBeUndefined();
    expect(await stopProcess(proc, dir, 100)).toBe('not running');
  });
});
