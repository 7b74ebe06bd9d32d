/** Shared helpers of the worker tests: records in, readable outputs out. */
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
