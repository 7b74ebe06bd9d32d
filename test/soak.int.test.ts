/**
 * The short soak of CI: `npm run soak` for 5 minutes at 500 ticks/s (what two shared cores
 * sustain while the suite runs; the published 30-minute figures are in docs/reliability.md). It
 * must exit 0 — no component's memory growing past the limits after warm-up, lag bounded — and
 * every produced tick must be in ClickHouse exactly once, per symbol.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { producedPerSymbol } from '../scripts/soak/exactly-once';
import type { SoakResult } from '../scripts/soak/run';

const MINUTES = 5;
const RATE = 500;

it(`soak: ${MINUTES} minutes at ${RATE} ticks/s, memory flat after warm-up and every tick exactly once`, {
  timeout: 900_000,
}, async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'soak-')), 'soak.json');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'scripts/soak/run.ts',
      '--minutes',
      String(MINUTES),
      '--rate',
      String(RATE),
      '--warmup',
      '2',
      '--out',
      out,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, LOG_LEVEL: 'warn' } },
  );
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const result = JSON.parse(readFileSync(out, 'utf8')) as SoakResult;
  const failed = result.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.measured} ${c.unit} > ${c.limit}`);
  expect(failed).toEqual([]);
  expect(code).toBe(0);
  // The worker is judged by its V8 heap after a full GC (read every sample); its RSS is only shown.
  const worker = (kind: string) => result.checks.find((c) => c.name === `${kind} growth of worker`);
  expect(worker('heap-after-GC')?.notJudged).toBeUndefined();
  expect(worker('RSS')?.notJudged).toBe('judged by its V8 heap after GC');
  expect(result.samples.filter((s) => typeof s.workerHeapAfterGc === 'number').length).toBeGreaterThanOrEqual(
    MINUTES * 6 - 3,
  );

  // The producer ran the whole time at the rate (within 2 %), and nothing failed to send.
  expect(result.producer.status).toBe('completed');
  expect(result.producer.failed).toBe(0);
  expect(Math.abs(result.producer.sent - MINUTES * 60 * RATE) / (MINUTES * 60 * RATE)).toBeLessThan(0.02);
  // Exactly once: ids 0..sent-1 each once, and per symbol what the seed gives (computed here again).
  const exactly = result.exactlyOnce;
  expect(exactly?.problems).toEqual([]);
  expect([exactly?.firstSequence, exactly?.lastSequence, exactly?.stored]).toEqual([
    0,
    result.producer.sent - 1,
    result.producer.sent,
  ]);
  const expected = producedPerSymbol(result.options.seed, result.producer.sent);
  expect(Object.fromEntries((exactly?.perSymbol ?? []).map((s) => [s.symbol, [s.final, s.distinctIds]]))).toEqual(
    Object.fromEntries([...expected].map(([symbol, n]) => [symbol, [n, n]])),
  );
  // A sample every ~10 s while producing.
  expect(result.samples.length).toBeGreaterThanOrEqual(MINUTES * 6 - 3);
});
