/**
 * Module 4: the 30-second volume window. Checks the accumulator and finish step, the descriptor (a new window and sink
 * reading the existing keyed chain (parse-tick, which ends in the by-symbol keyBy), every stock node kept so a savepoint restores), the row
 * against the table's columns, and a real worker's answer over gRPC, call by call as the bridge
 * makes them. WORKSHOP_TARGET=exercise checks workshop/exercises/ instead of workshop/solutions/.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fire, forward, readable, rec } from '../../pipeline/test/helpers';
import * as exercise from '../exercises/volume-30s';
import * as solution from '../solutions/volume-30s';
import { compileStock, compileTarget, startTestWorker, TARGET, TARGET_DIR } from './target';

const { finishVolume, VOLUME_SINK, VOLUME_WINDOW, VOLUME_WINDOW_MS } = TARGET === 'exercise' ? exercise : solution;
// 14:30:00 UTC: a 30-second window [14:30:00, 14:30:30).
const T0 = Date.UTC(2026, 0, 5, 14, 30, 0);

function tickText(id: string, symbol: string, volume: number, offsetMs: number): string {
  return JSON.stringify({ id, symbol, price: 250.5, volume, ts: new Date(T0 + offsetMs).toISOString() });
}

/** Column names of the CREATE TABLE in workshop/sql/volume_30s.sql, in order. */
function tableColumns(): string[] {
  const sql = readFileSync(resolve(import.meta.dirname, '../sql/volume_30s.sql'), 'utf8');
  const create = sql.slice(sql.indexOf('CREATE TABLE'));
  const body = create.slice(create.indexOf('(') + 1, create.indexOf(')\nENGINE'));
  return body
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => line.split(/\s+/)[0]!);
}

describe(`module 4: volume per symbol per 30 s (workshop/${TARGET_DIR}/volume-30s.ts)`, () => {
  it('finishes one window from its accumulator: count, total and largest volume, the window start as DateTime text', () => {
    const window = { key: 'TSLA', start: T0, end: T0 + 30_000 };
    expect(finishVolume({ ticks: 4, volume: 2_000, max_volume: 1_200 }, window)).toEqual({
      symbol: 'TSLA',
      window_start: '2026-01-05 14:30:00',
      ticks: 4,
      volume: 2_000,
      max_volume: 1_200,
    });
  });

  it('produces exactly the columns of the volume_30s table (the worker adds logic_version)', () => {
    const out = finishVolume({ ticks: 1, volume: 100, max_volume: 100 }, { key: 'TSLA', start: T0, end: T0 + 30_000 });
    expect([...Object.keys(out), 'logic_version']).toEqual(tableColumns());
    expect(tableColumns()).toEqual(['symbol', 'window_start', 'ticks', 'volume', 'max_volume', 'logic_version']);
  });

  it('adds a window and a sink on the keyed parse-tick chain and keeps every stock node (savepoint-compatible)', () => {
    const nodes = compileTarget().descriptor.nodes;
    expect([VOLUME_WINDOW, VOLUME_SINK, VOLUME_WINDOW_MS]).toEqual(['volume-30s', 'write-volume-30s', 30_000]);
    expect(nodes.find((n) => n.name === 'volume-30s')).toEqual({
      kind: 'window',
      name: 'volume-30s',
      input: 'parse-tick',
      window: { type: 'tumbling', sizeMs: 30_000 },
      allowedLatenessMs: 0,
      accumulator: {
        ordered: false,
        fields: [
          { name: 'ticks', op: 'count' },
          { name: 'volume', op: 'sum' },
          { name: 'max_volume', op: 'max' },
        ],
      },
    });
    expect(nodes.find((n) => n.name === 'write-volume-30s')).toEqual({
      kind: 'sink',
      name: 'write-volume-30s',
      input: 'volume-30s',
      target: { type: 'clickhouse', table: 'volume_30s' },
    });
    const kinds = new Map(nodes.map((n) => [n.name, n.kind]));
    for (const stockNode of compileStock().descriptor.nodes) {
      expect([stockNode.name, kinds.get(stockNode.name)]).toEqual([stockNode.name, stockNode.kind]);
    }
    expect(nodes.length).toBe(compileStock().descriptor.nodes.length + 2);
  });

  describe('over gRPC: parse-tick (keyed by symbol) -> volume-30s, as the bridge calls them', () => {
    let worker: Awaited<ReturnType<typeof startTestWorker>>;
    beforeAll(async () => {
      worker = await startTestWorker(compileTarget());
    });
    afterAll(async () => {
      await worker?.stop();
    });

    it('fires the window into one exact row, and the candle window still answers', async () => {
      const raws = [
        rec(tickText('v1', 'TSLA', 300, 1_000), 'TSLA', T0 + 1_000, 'stock-ticks/0/1'),
        rec(tickText('v2', 'TSLA', 2_500, 12_345), 'TSLA', T0 + 12_345, 'stock-ticks/0/2'),
        rec(tickText('v3', 'TSLA', 0, 29_999), 'TSLA', T0 + 29_999, 'stock-ticks/0/3'),
      ];
      const keyed = await worker.client.process('parse-tick', raws);
      expect(keyed.outputs.map((o) => o.record.key)).toEqual(['TSLA', 'TSLA', 'TSLA']);

      // Each keyed output carries one accumulator per window, in descriptor order: candles-1m, volume-30s.
      expect(keyed.outputs.map((o) => o.record.accumulators?.length)).toEqual([2, 2, 2]);
      const spec = (name: string) => {
        const node = compileTarget().descriptor.nodes.find((n) => n.name === name);
        if (node?.kind !== 'window') throw new Error(`no window ${name}`);
        return node.accumulator;
      };
      // What Flink does in between: merge the accumulators, then one finish call per set of fired windows.
      const fired = await worker.client.finish('volume-30s', [
        fire(forward(keyed), 1, spec('volume-30s'), { key: 'TSLA', start: T0, end: T0 + 30_000 }),
      ]);
      expect(readable(fired)).toEqual({
        outputs: [
          {
            inputIndex: 0,
            value: { symbol: 'TSLA', window_start: '2026-01-05 14:30:00', ticks: 3, volume: 2_800, max_volume: 2_500 },
            key: 'TSLA',
            timestamp: T0 + 29_999,
            origin: `volume-30s/TSLA/${T0}`,
          },
        ],
        rejections: [],
      });

      const candle = readable(
        await worker.client.finish('candles-1m', [
          fire(forward(keyed), 0, spec('candles-1m'), { key: 'TSLA', start: T0, end: T0 + 60_000 }),
        ]),
      );
      expect(candle.outputs.map((o) => o.value)).toEqual([
        {
          symbol: 'TSLA',
          window_start: '2026-01-05 14:30:00',
          open: 250.5,
          high: 250.5,
          low: 250.5,
          close: 250.5,
          volume: 2_800,
          vwap: 250.5,
          ticks: 3,
        },
      ]);
    });
  });
});
