/**
 * Module 3: the round-lot step. Checks the step's logic, that it is fused into the `parse-tick`
 * chain (no new operator), and what a real worker answers over gRPC for hand-made ticks.
 * WORKSHOP_TARGET=exercise checks workshop/exercises/ instead of workshop/solutions/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundedRaw } from '../../pipeline/src/contract/deadLetter';
import { isRejected } from '../../pipeline/src/dsl';
import type { TickRow } from '../../pipeline/src/stock';
import { readable, rec } from '../../pipeline/test/helpers';
import * as exercise from '../exercises/round-lots';
import * as solution from '../solutions/round-lots';
import { compileStock, compileTarget, startTestWorker, TARGET, TARGET_DIR } from './target';

const { checkRoundLot, ROUND_LOTS_STEP } = TARGET === 'exercise' ? exercise : solution;
const T0 = Date.UTC(2026, 0, 5, 14, 30, 0);

function row(volume: number): TickRow {
  return { id: 'r1', symbol: 'AAPL', price: 190.5, volume, ts: '2026-01-05 14:30:00', ts_ms: 0 };
}

function tickText(id: string, symbol: string, price: number, volume: number, offsetMs: number): string {
  return JSON.stringify({ id, symbol, price, volume, ts: new Date(T0 + offsetMs).toISOString() });
}

describe(`module 3: round lots only (workshop/${TARGET_DIR}/round-lots.ts)`, () => {
  it('keeps round lots (multiples of 100, and 0) and rejects odd lots with the reason', () => {
    expect(checkRoundLot(row(300))).toBe(true);
    expect(checkRoundLot(row(0))).toBe(true);
    expect(checkRoundLot(row(500_000))).toBe(true);
    for (const volume of [37, 150, 1]) {
      const result = checkRoundLot(row(volume));
      expect(isRejected(result) ? result.reason : result).toBe(`odd lot: ${volume} shares`);
    }
  });

  it('is fused into the parse-tick chain: same operators as the stock pipeline, one more step', () => {
    const nodes = compileTarget().descriptor.nodes;
    const chains = nodes.filter((n) => n.kind === 'chain');
    const stockChains = compileStock().descriptor.nodes.filter((n) => n.kind === 'chain');
    expect(chains.map((c) => c.name)).toEqual(stockChains.map((c) => c.name));
    expect(chains[0]).toEqual({
      kind: 'chain',
      name: 'parse-tick',
      input: 'read-ticks',
      steps: [
        { name: 'parse-tick', kind: 'map' },
        { name: 'to-tick-row', kind: 'map' },
        { name: ROUND_LOTS_STEP, kind: 'filter' },
        { name: 'by-symbol', kind: 'keyBy' },
      ],
      keyed: true,
    });
    expect(ROUND_LOTS_STEP).toBe('round-lots-only');
    // Both branches still read the chain's output (the by-symbol keyBy is fused into it).
    expect(nodes.find((n) => n.name === 'write-ticks')?.input).toBe('parse-tick');
    expect(nodes.find((n) => n.name === 'candles-1m')?.input).toBe('parse-tick');
  });

  describe('over gRPC, one batch through the parse-tick chain', () => {
    let worker: Awaited<ReturnType<typeof startTestWorker>>;
    beforeAll(async () => {
      worker = await startTestWorker(compileTarget());
    });
    afterAll(async () => {
      await worker?.stop();
    });

    it('answers the round lots as rows, the odd lot and the malformed record as dead letters', async () => {
      const oddLot = tickText('t2', 'MSFT', 420.1, 37, 1_250);
      const batch = [
        rec(tickText('t1', 'AAPL', 190.25, 300, 500), 'AAPL', T0 + 500, 'stock-ticks/0/10'),
        rec(oddLot, 'MSFT', T0 + 1_250, 'stock-ticks/1/20'),
        rec('{"id":"t3"', 'NVDA', T0 + 2_000, 'stock-ticks/2/30'),
        rec(tickText('t4', 'NVDA', 120, 0, 2_999), 'NVDA', T0 + 2_999, 'stock-ticks/2/31'),
      ];
      const result = readable(await worker.client.process('parse-tick', batch));
      expect(result.outputs).toEqual([
        {
          inputIndex: 0,
          value: { id: 't1', symbol: 'AAPL', price: 190.25, volume: 300, ts: '2026-01-05 14:30:00', ts_ms: 500 },
          key: 'AAPL',
          timestamp: T0 + 500,
          origin: 'stock-ticks/0/10',
        },
        {
          inputIndex: 3,
          value: { id: 't4', symbol: 'NVDA', price: 120, volume: 0, ts: '2026-01-05 14:30:02', ts_ms: 999 },
          key: 'NVDA',
          timestamp: T0 + 2_999,
          origin: 'stock-ticks/2/31',
        },
      ]);
      expect(result.rejections.map((r) => [r.inputIndex, r.step])).toEqual([
        [1, 'round-lots-only'],
        [2, 'parse-tick'],
      ]);
      // The dead letter carries what the refusing step received, as JSON: here the tick row that
      // `to-tick-row` made (the same bytes whether or not the step is fused into the parse chain).
      const oddLotRow = '{"id":"t2","symbol":"MSFT","price":420.1,"volume":37,"ts":"2026-01-05 14:30:01","ts_ms":250}';
      expect(result.rejections[0]).toEqual({
        inputIndex: 1,
        step: 'round-lots-only',
        reason: 'odd lot: 37 shares',
        deadLetter: {
          origin: 'stock-ticks/1/20',
          step: 'round-lots-only',
          reason: 'odd lot: 37 shares',
          ...boundedRaw(oddLotRow),
          ts: '2026-01-05 14:30:01',
        },
      });
    });
  });
});
