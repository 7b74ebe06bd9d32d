/**
 * The foreign-producer scenario's input (foreign.e2e.test.ts): the seeded ticks on a fixed past day,
 * out of order within the watermark bound, with repeated ids, one tick a day ahead and per-partition
 * sentinels. Deterministic except the future tick's ts (a day after `nowMs`).
 */
import { MAX_OUT_OF_ORDERNESS_MS } from '../../pipeline/src/stock/stockPipeline';
import { generateTicks } from '../../producer/src/generator';
import type { ForeignRecord } from '../support/foreign-producer';
import { INPUT, sentinelsAfter } from './scenario';

/** A fixed past day (never today: a mix-up of send time and event time cannot pass by chance). */
const PAST_DAY_START_MS = Date.UTC(2025, 9, 14, 15, 0, 0, 0);
const DAY_MS = 86_400_000;

/** Deterministic uniform numbers in [0, 1) (a small LCG: the order must be the same on every run). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** A record with a key and a text value (this scenario sends no nulls or raw bytes). */
type TextRecord = ForeignRecord & { key: string; value: string };

export interface ForeignInput {
  records: TextRecord[];
  /** How many records were sent twice. */
  repeats: number;
  /** The tick dated a day ahead. */
  future: TextRecord;
  /** Windows ending by this event time have fired once the sentinels are read. */
  closedBeforeMs: number;
}

/** Builds the input; `nowMs` dates the future tick. */
export function foreignInput(nowMs: number): ForeignInput {
  const random = lcg(15);
  const generated = [...generateTicks({ ...INPUT, symbols: [...INPUT.symbols], startTimeMs: PAST_DAY_START_MS })];

  // Out of order within the bound: each record moves by less than the watermark's out-of-orderness.
  const jitterMs = MAX_OUT_OF_ORDERNESS_MS * 0.75;
  const shuffled = generated
    .map((r) => ({ r, at: r.timestampMs + random() * jitterMs }))
    .sort((a, b) => a.at - b.at)
    .map(({ r }) => ({ key: r.key, value: r.value }));

  // A retrying producer: every 40th record is sent again, a few records later (same key, same bytes).
  const records: TextRecord[] = [];
  let repeats = 0;
  shuffled.forEach((record, i) => {
    records.push(record);
    if (i % 40 === 7) {
      records.splice(Math.max(0, records.length - 3), 0, { ...record });
      repeats++;
    }
  });
  // One valid tick dated a day ahead of the clock, in the middle of the stream.
  const future: TextRecord = {
    key: 'AAPL',
    value: JSON.stringify({
      id: 'future-1',
      symbol: 'AAPL',
      price: 100,
      volume: 100,
      ts: new Date(nowMs + DAY_MS).toISOString(),
    }),
  };
  records.splice(Math.floor(records.length / 2), 0, future);

  const sentinel = sentinelsAfter(generated[generated.length - 1]!.timestampMs);
  for (let p = 0; p < 6; p++) records.push({ ...sentinel.make(p), partition: p });
  return { records, repeats, future, closedBeforeMs: sentinel.windowStartMs };
}
