/**
 * The worker Status service's memory figures: with --expose-gc (as the soak starts the worker) the
 * heap is read right after a full GC, so garbage is not in it and a leak's live objects are.
 */
import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type ProcessMemory, processMemorySchema } from '../src/worker/reload';

const run = promisify(execFile);
const reload = pathToFileURL(resolve(dirname(fileURLToPath(import.meta.url)), '../src/worker/reload.ts')).href;
const MiB = 1024 * 1024;

/** Reads processMemory() in a fresh node with `flags`: while 1,000,000 small objects live, then after dropping them. */
async function readings(flags: string[]): Promise<{ live: ProcessMemory; dropped: ProcessMemory }> {
  const script = `
    const { processMemory } = await import(${JSON.stringify(reload)});
    let junk = Array.from({ length: 1_000_000 }, (_, i) => ({ i, s: 'x' + i }));
    const live = processMemory();
    junk.length = 0;
    junk = null;
    console.log(JSON.stringify({ live, dropped: processMemory() }));`;
  const { stdout } = await run(process.execPath, [...flags, '--import', 'tsx', '--input-type=module', '-e', script]);
  const parsed = JSON.parse(stdout) as { live: unknown; dropped: unknown };
  return { live: processMemorySchema.parse(parsed.live), dropped: processMemorySchema.parse(parsed.dropped) };
}

describe('processMemory', () => {
  it('with --expose-gc: the heap after a full GC holds the live objects and not the garbage', async () => {
    const { live, dropped } = await readings(['--expose-gc']);
    expect([live.afterGc, dropped.afterGc]).toEqual([true, true]);
    // 1,000,000 objects of two fields and a short string: well over 40 MiB while referenced.
    expect(live.heapUsedBytes - dropped.heapUsedBytes).toBeGreaterThan(40 * MiB);
    expect(dropped.heapUsedBytes).toBeLessThan(30 * MiB);
    expect(live.rssBytes).toBeGreaterThan(live.heapUsedBytes);
  }, 30_000);

  it('without it: says the figures were read without a GC', async () => {
    const { live } = await readings([]);
    expect(live.afterGc).toBe(false);
    expect(live.heapUsedBytes).toBeGreaterThan(40 * MiB);
  }, 30_000);
});
