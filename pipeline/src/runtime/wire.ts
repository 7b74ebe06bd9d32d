/** The decoded shapes of worker.proto messages (proto-loader: camelCase fields, int64 as Number). */

export interface WireRecord {
  value: Uint8Array;
  key: string;
  /** Event time, epoch milliseconds. */
  timestamp: number;
  origin: string;
}

export interface WireOutput {
  /** Index of the input record this output came from; -1 for window aggregates. */
  inputIndex: number;
  record: WireRecord;
}

export interface WireRejection {
  inputIndex: number;
  step: string;
  reason: string;
  /** The dead-letter row JSON (see DeadLetterRow). */
  deadLetter: Uint8Array;
}

/** What Process and Aggregate answer. */
export interface BatchResult {
  outputs: WireOutput[];
  rejections: WireRejection[];
}

/** UTF-8 text of a bytes field (proto-loader gives Buffers; plain Uint8Arrays are accepted too). */
export function bytesToText(bytes: Uint8Array): string {
  if (Buffer.isBuffer(bytes)) return bytes.toString('utf8');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
