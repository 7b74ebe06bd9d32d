/**
 * A window node's worker side. Flink keeps the window state (one merged accumulator per window and
 * key); the worker finishes fired windows' accumulators into outputs (kind FINISH) and builds the
 * dead-letter rows of records that came too late (kind LATE), so the bridge knows no row format.
 */

import { describeThrown } from '../contract/deadLetter';
import type { WindowInfo } from '../contract/records';
import { isRejected } from '../contract/reject';
import { type AccumulatorRuntime, accumulatedFields } from './accumulator';
import { rejection } from './chain';
import { JsonProblem, jsonOutput } from './jsonSafety';
import { stampedJson, withoutStamp } from './logicVersion';
import { type BatchResult, bytesToText, type WireOutput, type WireRecord, type WireRejection } from './wire';

/** What the worker executes for one window node of the descriptor. */
export interface WindowRuntime {
  name: string;
  accumulator: AccumulatorRuntime;
  finish: (accumulated: Record<string, unknown>, window: WindowInfo) => unknown;
  /** Set when the window feeds a sink: an object result gets `logic_version` (see stampedJson). */
  logicVersion?: string;
  /** Set when the chain it reads feeds a sink too: a late record's dead letter drops the stamp. */
  stampedInput?: boolean;
}

/**
 * Origin of a window's output: window node / key / window start (ms). The bridge's
 * FiredAccumulator.origin is the same rule; common/fixtures/window-origin.json holds cases both must give.
 */
export function windowOrigin(windowName: string, key: string, start: number): string {
  return `${windowName}/${key}/${start}`;
}

/**
 * Finishes each fired window of the batch (one record per window: key, accumulators[0] with the
 * bounds). The output keeps the key and gets the window's max timestamp (end - 1); if the finish
 * step throws or rejects, that window is rejected with its accumulated fields as JSON in `raw`.
 */
export function runFinish(window: WindowRuntime, records: readonly WireRecord[]): BatchResult {
  const outputs: WireOutput[] = [];
  const rejections: WireRejection[] = [];
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const wire = record.accumulators?.[0];
    if (!wire) throw new Error(`fired window ${i} of ${window.name} carries no accumulator (protocol violation)`);
    const info: WindowInfo = { key: record.key, start: Number(wire.windowStart), end: Number(wire.windowEnd) };
    const maxTimestamp = info.end - 1;
    const origin = windowOrigin(window.name, info.key, info.start);
    const fields = accumulatedFields(window.accumulator, wire);
    const fail = (reason: string) =>
      rejections.push(rejection(i, { step: window.name, reason }, origin, JSON.stringify(fields), maxTimestamp));
    let result: unknown;
    try {
      result = window.finish(fields, info);
    } catch (err) {
      fail(describeThrown(err));
      continue;
    }
    if (isRejected(result)) {
      fail(result.reason);
      continue;
    }
    result = jsonOutput(result);
    if (result instanceof JsonProblem) {
      fail(result.reason(window.name));
      continue;
    }
    let text: string | undefined;
    try {
      text = stampedJson(result, window.logicVersion);
    } catch (err) {
      fail(`finish output is not JSON: ${describeThrown(err)}`);
      continue;
    }
    if (text === undefined) {
      fail('finish output is not JSON (undefined or a function)');
      continue;
    }
    outputs.push({
      inputIndex: i,
      record: { value: Buffer.from(text), key: info.key, timestamp: maxTimestamp, origin },
    });
  }
  return { outputs, rejections };
}

/** Event time as Java's Instant prints it (no fraction when it is whole seconds), for stable reasons. */
function instantText(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/** One dead letter per late record: the window node as the step, the record's own value as `raw`. */
export function runLate(window: WindowRuntime, records: readonly WireRecord[]): BatchResult {
  const rejections: WireRejection[] = [];
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const timestamp = Number(record.timestamp);
    const reason = `late: event time ${instantText(timestamp)} is behind watermark for window node ${window.name}`;
    const raw = window.stampedInput ? unstamped(record.value) : record.value;
    rejections.push(rejection(i, { step: window.name, reason }, record.origin, raw, timestamp));
  }
  return { outputs: [], rejections };
}

/** A late record's value as its chain's steps made it, without the stamp meant for that chain's sinks. */
function unstamped(value: Uint8Array): Uint8Array | string {
  try {
    return JSON.stringify(withoutStamp(JSON.parse(bytesToText(value))));
  } catch {
    // Not JSON (a protocol violation, not a record's fault): keep the bytes as received.
    return value;
  }
}
