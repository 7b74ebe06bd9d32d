/**
 * Aggregates the records of one fired window. Flink keeps the window state; the worker only sees the
 * records when the window fires and returns one output (or a rejection for the whole window).
 */
import { isRejected } from '../dsl/reject';
import type { WindowInfo } from '../dsl/types';
import { rejection } from './chain';
import { describeThrown } from './deadLetter';
import { stampedJson } from './logicVersion';
import { type BatchResult, bytesToText, type WireRecord, type WireRejection } from './wire';

/** What the worker executes for one window node of the descriptor. */
export interface WindowRuntime {
  name: string;
  aggregate: (values: unknown[], window: WindowInfo) => unknown;
  /** Set when the window feeds a sink: an object result gets `logic_version` (see stampedJson). */
  logicVersion?: string;
}

/** Origin of a window's output: window node / key / window start (ms). */
export function windowOrigin(windowName: string, key: string, start: number): string {
  return `${windowName}/${key}/${start}`;
}

/**
 * Runs the aggregate. A record that is not JSON is rejected on its own (input_index = its index) and
 * left out; if the aggregate throws or rejects, the whole window is rejected (input_index -1) with
 * the records' texts as a JSON array in `raw`. The output keeps the key and gets the window's max
 * timestamp (end - 1).
 */
export function runWindow(window: WindowRuntime, info: WindowInfo, records: readonly WireRecord[]): BatchResult {
  const rejections: WireRejection[] = [];
  const values: unknown[] = [];
  const texts: string[] = [];
  const maxTimestamp = info.end - 1;
  const origin = windowOrigin(window.name, info.key, info.start);
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const raw = bytesToText(record.value);
    try {
      values.push(JSON.parse(raw));
      texts.push(raw);
    } catch (err) {
      const reason = `input is not valid JSON: ${(err as Error).message}`;
      rejections.push(
        rejection(i, { step: window.name, reason }, record.origin, record.value, Number(record.timestamp)),
      );
    }
  }
  if (values.length === 0) return { outputs: [], rejections };
  const windowRaw = `[${texts.join(',')}]`;
  let result: unknown;
  try {
    result = window.aggregate(values, info);
  } catch (err) {
    rejections.push(rejection(-1, { step: window.name, reason: describeThrown(err) }, origin, windowRaw, maxTimestamp));
    return { outputs: [], rejections };
  }
  if (isRejected(result)) {
    rejections.push(rejection(-1, { step: window.name, reason: result.reason }, origin, windowRaw, maxTimestamp));
    return { outputs: [], rejections };
  }
  let text: string | undefined;
  try {
    text = stampedJson(result, window.logicVersion);
  } catch (err) {
    const reason = `aggregate output is not JSON: ${describeThrown(err)}`;
    rejections.push(rejection(-1, { step: window.name, reason }, origin, windowRaw, maxTimestamp));
    return { outputs: [], rejections };
  }
  if (text === undefined) {
    const reason = 'aggregate output is not JSON (undefined or a function)';
    rejections.push(rejection(-1, { step: window.name, reason }, origin, windowRaw, maxTimestamp));
    return { outputs: [], rejections };
  }
  return {
    outputs: [{ inputIndex: -1, record: { value: Buffer.from(text), key: info.key, timestamp: maxTimestamp, origin } }],
    rejections,
  };
}
