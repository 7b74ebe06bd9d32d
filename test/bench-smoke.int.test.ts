/**
 * Keeps the side-by-side benchmark (npm run bench:compare) from rotting: runs the driver with a
 * tiny topic against the real local stack, all three engines, latency and a two-point knob sweep,
 * and checks that every engine produced exactly the expected rows and that the plots were drawn.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateTicks } from '../producer/src/generator';
import type { CompareResults } from '../scripts/bench/compare-report';

const root = resolve(import.meta.dirname, '..');
const out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));

function runDriver(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/compare.ts', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? 1, output }));
  });
}

describe('bench:compare driver', () => {
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs bridge, native Java and PyFlink on a tiny topic with exact results, latency, a sweep and plots', async () => {
    const { code, output } = await runDriver([
      '--ticks',
      '2000',
      '--runs',
      '1',
      '--latency-seconds',
      '4',
      '--warmup-seconds',
      '1',
      '--latency-rate',
      '500',
      '--worker-processes',
      '1',
      '--sweep',
      '--sweep-ticks',
      '1000',
      '--sweep-batch-sizes',
      '100',
      '--sweep-in-flight',
      '2',
      '--sweep-processes',
      '1',
      '--out',
      out,
    ]);
    expect(code, output).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'compare-results.json'), 'utf8')) as CompareResults;

    expect(results.throughput.map((r) => r.engine).sort()).toEqual(['bridge', 'java', 'pyflink']);
    // The driver pre-loads seed 7, 2000 records, 1 % malformed, then one flush tick per partition (6).
    const malformed = [...generateTicks({ seed: 7, count: 2000, badRatio: 0.01 })].filter(
      (r) => r.kind === 'malformed',
    ).length;
    for (const run of results.throughput) {
      expect(run.inputs).toBe(2006);
      expect(run.counts.ticks).toBe(2000 - malformed + 6);
      expect(run.counts.rejected).toBe(malformed);
      expect(run.correct, `${run.engine}: ${JSON.stringify(run.counts)}`).toBe(true);
      expect(run.ticksPerSecond).toBeGreaterThan(0);
      // CPU is measured for the Flink JVMs, and for ours also for the worker's process tree. A tiny
      // run can leave one group at 0 (its calls done before measuring starts), never all of them.
      expect(Object.keys(run.cpuSeconds)).toEqual(
        run.engine === 'bridge' ? ['taskmanager', 'jobmanager', 'worker'] : ['taskmanager', 'jobmanager'],
      );
      expect(run.cpuSecondsPer100k, run.engine).toBeGreaterThan(0);
    }

    expect(results.latency.map((r) => r.engine).sort()).toEqual(['bridge', 'java', 'pyflink']);
    for (const run of results.latency) {
      // 500 ticks/s measured for 4 s = 2000 ticks, every 10th a marker (the seed makes no malformed ones).
      expect(run.markers).toBe(200);
      expect(run.missing).toBe(0);
      expect(run.p50).toBeGreaterThan(0);
      expect(run.p99).toBeGreaterThanOrEqual(run.p50);
    }

    expect(results.sweep.map((r) => [r.knobs.batchSize, r.knobs.maxInFlight, r.knobs.workerProcesses])).toEqual([
      [100, undefined, 1],
      [undefined, 2, 1],
    ]);
    expect(results.sweep.every((r) => r.correct)).toBe(true);

    const report = readFileSync(join(out, 'compare-report.md'), 'utf8');
    expect(report).toContain('ours / PyFlink');
    for (const plot of ['compare-throughput.png', 'compare-latency.png']) {
      expect(readFileSync(join(out, plot)).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    }
  }, 1_200_000);
});
