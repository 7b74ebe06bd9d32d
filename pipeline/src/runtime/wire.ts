/** The decoded shapes of worker.proto messages (proto-loader: camelCase fields, int64 as Number). */

export interface WireRecord {
  value: Uint8Array;
  key: string;
  /** Event time, epoch milliseconds. */
  timestamp: number;
  origin: string;
  /** One accumulator per window a keyed chain feeds; a FINISH input's merged accumulator. */
  accumulators?: WireAccumulator[];
  /** REJECT inputs: why the bridge refused the record (null or absent elsewhere). */
  refusal?: WireRefusal | null;
}

/** worker.proto Refusal: a record the bridge refused before any worker step. */
export interface WireRefusal {
  reason: string;
  /** Set when `value` is only the first bytes of the refused input. */
  prefix?: WirePrefix | null;
}

/** worker.proto Prefix: the whole input behind a value cut short. */
export interface WirePrefix {
  /** The whole input's length in bytes. */
  bytes: number;
  /** SHA-256 of the whole input (32 bytes). */
  sha256: Uint8Array;
  /** Whether the whole input is well-formed UTF-8. */
  utf8: boolean;
}

/** worker.proto Accumulator. */
export interface WireAccumulator {
  /** Byte-comparable ordering key (one-record accumulators of an ordered spec). */
  order: Uint8Array;
  /** sum/count/min/max fields in spec order. */
  numbers: number[];
  /** first/last fields in spec order, JSON. */
  values: Uint8Array[];
  /** FINISH inputs: the window's bounds, epoch ms. */
  windowStart: number;
  windowEnd: number;
}

/** worker.proto CallKind. */
export type CallKind = 'CHAIN' | 'FINISH' | 'LATE' | 'REJECT';

export interface WireOutput {
  /** Index of the input record this output came from. */
  inputIndex: number;
  record: WireRecord;
}

export interface WireRejection {
  inputIndex: number;
  step: string;
  reason: string;
  /** The dead-letter row JSON (see DeadLetterRow in contract/records.ts). */
  deadLetter: Uint8Array;
}

/** What Process answers. */
export interface BatchResult {
  outputs: WireOutput[];
  rejections: WireRejection[];
}

/** UTF-8 text of a bytes field (proto-loader gives Buffers; plain Uint8Arrays are accepted too). */
export function bytesToText(bytes: Uint8Array): string {
  if (Buffer.isBuffer(bytes)) return bytes.toString('utf8');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
