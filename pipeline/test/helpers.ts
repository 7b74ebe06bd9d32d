/** Shared helpers of the worker tests: records in, readable outputs out. */
import type { AccumulatorSpec } from '../src/descriptor/schema';
import type { BatchResult, WireRecord } from '../src/runtime/wire';

/** A wire record with a text value. */
export function rec(value: string, key: string, timestamp: number, origin: string): WireRecord {
  return { value: Buffer.from(value), key, timestamp, origin };
}

export interface ReadableResult {
  outputs: { inputIndex: number; value: unknown; key: string; timestamp: number; origin: string }[];
  rejections: { inputIndex: number; step: string; reason: string; deadLetter: unknown }[];
}

/** Decodes values and dead letters to JSON so tests can compare whole results. */
export function readable(result: BatchResult): ReadableResult {
  return {
    outputs: result.outputs.map((o) => ({
      inputIndex: o.inputIndex,
      value: JSON.parse(Buffer.from(o.record.value).toString('utf8')),
      key: o.record.key,
      timestamp: Number(o.record.timestamp),
      origin: o.record.origin,
    })),
    rejections: result.rejections.map((r) => ({
      inputIndex: r.inputIndex,
      step: r.step,
      reason: r.reason,
      deadLetter: JSON.parse(Buffer.from(r.deadLetter).toString('utf8')),
    })),
  };
}

/** Outputs as the next node's input records (what the bridge forwards). */
export function forward(result: BatchResult): WireRecord[] {
  return result.outputs.map((o) => o.record);
}

/**
 * What the bridge does between a keyed chain and a window's finish (flink/bridge AccumulatorMerge),
 * written again here for the tests: merges accumulator `index` of each record by the spec's ops (sum
 * and count add, min/max, first/last by the unsigned byte order of the ordering key) into the one
 * record a FINISH call gets for window [start, end) of `key`.
 */
export function fire(
  records: readonly WireRecord[],
  index: number,
  spec: AccumulatorSpec,
  window: { key: string; start: number; end: number },
): WireRecord {
  const numericOps = spec.fields.filter((f) => !['first', 'last'].includes(f.op)).map((f) => f.op);
  const valuedOps = spec.fields.filter((f) => ['first', 'last'].includes(f.op)).map((f) => f.op);
  let merged: { first: Buffer; last: Buffer; numbers: number[]; values: Uint8Array[] } | undefined;
  for (const record of records) {
    const acc = record.accumulators?.[index];
    if (!acc) throw new Error(`record ${record.origin} has no accumulator ${index}`);
    const order = Buffer.from(acc.order);
    if (!merged) {
      merged = { first: order, last: order, numbers: [...acc.numbers], values: [...acc.values] };
      continue;
    }
    const m = merged;
    m.numbers = m.numbers.map((x, i) => {
      const y = acc.numbers[i]!;
      const op = numericOps[i];
      return op === 'min' ? Math.min(x, y) : op === 'max' ? Math.max(x, y) : x + y;
    });
    const earlier = Buffer.compare(order, m.first) < 0;
    const later = Buffer.compare(order, m.last) >= 0;
    m.values = m.values.map((v, i) => ((valuedOps[i] === 'first' ? earlier : later) ? acc.values[i]! : v));
    if (earlier) m.first = order;
    if (later) m.last = order;
  }
  if (!merged) throw new Error('a window fires only with at least one record');
  return {
    value: Buffer.alloc(0),
    key: window.key,
    timestamp: window.end - 1,
    origin: '',
    accumulators: [
      {
        order: Buffer.alloc(0),
        numbers: merged.numbers,
        values: merged.values,
        windowStart: window.start,
        windowEnd: window.end,
      },
    ],
  };
}
