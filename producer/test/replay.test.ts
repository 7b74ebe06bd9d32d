import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTick } from '@ticker/common';
import { describe, expect, it } from 'vitest';
import { ReplayFileError, readReplayFile, replayRecords } from '../src/replay';

const dir = mkdtempSync(join(tmpdir(), 'producer-replay-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const jsonl = [
  '{"id":"a1","symbol":"AAPL","price":190.5,"volume":100,"ts":"2026-01-05T14:30:00.000Z"}',
  '',
  '{"id":"a2","symbol":"MSFT","price":420.25,"volume":300,"ts":"2026-01-05T14:30:00.500Z"}',
  '{"id":"a3","symbol":"AAPL","price":190.75,"volume":50,"ts":"2026-01-05T14:30:01.000Z"}',
].join('\n');

describe('readReplayFile', () => {
  it('reads JSONL ticks', async () => {
    const ticks = await readReplayFile(file('day.jsonl', jsonl));
    expect(ticks.map((t) => t.id)).toEqual(['a1', 'a2', 'a3']);
    expect(ticks[1]).toEqual({ id: 'a2', symbol: 'MSFT', price: 420.25, volume: 300, ts: '2026-01-05T14:30:00.500Z' });
  });

  it('reads CSV with a header, deriving ids from the file name and line when there is no id column', async () => {
    const path = file(
      'session 1.csv',
      'ts,symbol,price,volume\n2026-01-05T14:30:00.000Z,AAPL,190.5,100\n\n2026-01-05T14:30:00.250Z,TSLA,250,200\n',
    );
    expect(await readReplayFile(path)).toEqual([
      { id: 'session_1-2', symbol: 'AAPL', price: 190.5, volume: 100, ts: '2026-01-05T14:30:00.000Z' },
      { id: 'session_1-4', symbol: 'TSLA', price: 250, volume: 200, ts: '2026-01-05T14:30:00.250Z' },
    ]);
  });

  it('refuses a file with invalid lines, naming file, line and reason, before anything is sent', async () => {
    const path = file(
      'bad.jsonl',
      `${jsonl}\n{"id":"b","symbol":"AAPL","price":-1,"volume":1,"ts":"2026-01-05T14:30:00.000Z"}\n{oops\n`,
    );
    const oops = parseTick('{oops');
    const jsonReason = oops.ok ? 'unexpectedly valid' : oops.reason;
    await expect(readReplayFile(path)).rejects.toThrow(
      new ReplayFileError(
        `replay file has 2 invalid line(s); nothing was sent:\n  ${path}:5: price: price must be > 0\n  ${path}:6: ${jsonReason}`,
      ),
    );
  });

  it('refuses a CSV without the required columns', async () => {
    const path = file('cols.csv', 'symbol,price\nAAPL,1\n');
    await expect(readReplayFile(path)).rejects.toThrow(
      `CSV ${path} header must name the columns symbol, price, volume, ts (and optionally id); missing: volume, ts`,
    );
  });

  it('refuses an unknown extension', async () => {
    await expect(readReplayFile(file('x.txt', jsonl))).rejects.toThrow('must end in .jsonl, .ndjson or .csv');
  });
});

describe('replayRecords', () => {
  it('loops with fresh ids and moves later passes on by the span plus one gap', async () => {
    const ticks = await readReplayFile(file('loop.jsonl', jsonl));
    const records = [...replayRecords(ticks, { loop: true, count: 7 })];
    expect(records.map((r) => (r.kind === 'tick' ? r.tick.id : r.id))).toEqual([
      'a1',
      'a2',
      'a3',
      'a1-r1',
      'a2-r1',
      'a3-r1',
      'a1-r2',
    ]);
    const t0 = Date.parse('2026-01-05T14:30:00.000Z');
    // span 1000 ms, 3 ticks -> gap 500 ms -> pass offset 1500 ms.
    expect(records.map((r) => r.timestampMs - t0)).toEqual([0, 500, 1000, 1500, 2000, 2500, 3000]);
    expect(records.map((r) => r.key)).toEqual(['AAPL', 'MSFT', 'AAPL', 'AAPL', 'MSFT', 'AAPL', 'AAPL']);
    for (const r of records) {
      const parsed = parseTick(r.value);
      expect(parsed.ok && Date.parse(parsed.tick.ts)).toBe(r.timestampMs);
    }
  });

  it('shifts event time so the first tick is at the given time, keeping the spacing', async () => {
    const ticks = await readReplayFile(file('shift.jsonl', jsonl));
    const now = Date.UTC(2030, 5, 1, 12, 0, 0, 7);
    const records = [...replayRecords(ticks, { shiftToMs: now })];
    expect(records.map((r) => r.timestampMs - now)).toEqual([0, 500, 1000]);
    expect(records[0]?.kind === 'tick' && records[0].tick.ts).toBe('2030-06-01T12:00:00.007Z');
  });

  it('stops after one pass without --loop', async () => {
    const ticks = await readReplayFile(file('once.jsonl', jsonl));
    expect([...replayRecords(ticks)]).toHaveLength(3);
  });

  it('mixes in malformed versions of replayed ticks at the bad ratio', async () => {
    const ticks = await readReplayFile(file('mix.jsonl', jsonl));
    const records = [...replayRecords(ticks, { loop: true, count: 1000, badRatio: 0.25, seed: 3 })];
    const malformed = records.filter((r) => r.kind === 'malformed');
    expect(Math.abs(malformed.length - 250)).toBeLessThanOrEqual(1);
    expect(malformed.every((r) => !parseTick(r.value).ok)).toBe(true);
  });
});
