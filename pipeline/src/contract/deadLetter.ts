/**
 * Builds the dead-letter row, every one of them (the bridge's refusals too, through REJECT calls):
 * the raw input is cut to 64 KiB with its full length and SHA-256 beside it, and bytes that are not
 * UTF-8 are stored as base64, so no dead letter can break the DLQ topic or the `rejected` table.
 */
import { isUtf8 as nodeIsUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import type { DeadLetterRow } from './records';

/** Most bytes of raw text kept (base64 text is this long too). */
export const RAW_CAP_BYTES = 64 * 1024;
/** Most bytes of a reason kept (an error message can quote a whole input). */
export const REASON_CAP_BYTES = 4 * 1024;
/** Raw bytes kept before base64: 3 bytes become 4 characters. */
const BASE64_SOURCE_BYTES = (RAW_CAP_BYTES / 4) * 3;

/** The last time a ClickHouse DateTime holds (UInt32 seconds): 2106-02-07 06:28:15 UTC. */
export const MAX_DATETIME_MS = 4_294_967_295_000;

/**
 * Epoch ms as ClickHouse DateTime text in UTC: 'YYYY-MM-DD hh:mm:ss' (milliseconds dropped), clamped
 * to the range DateTime holds. Any Kafka client may stamp any 64-bit time (the fuzz suite does).
 */
export function formatClickHouseDateTime(epochMs: number): string {
  // A missing Kafka timestamp arrives as -1; DateTime cannot hold times before 1970 or after 2106.
  const ms = Number.isFinite(epochMs) ? Math.min(Math.max(epochMs, 0), MAX_DATETIME_MS) : 0;
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** The largest length <= maxBytes that does not split a UTF-8 character of `bytes`. */
function utf8Cut(bytes: Uint8Array, maxBytes: number): number {
  if (bytes.length <= maxBytes) return bytes.length;
  let cut = maxBytes;
  // A byte 10xxxxxx continues the character that starts before it.
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut -= 1;
  return cut;
}

/** `text` cut to at most `maxBytes` UTF-8 bytes on a character boundary. */
export function capUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= maxBytes ? text : bytes.subarray(0, utf8Cut(bytes, maxBytes)).toString('utf8');
}

/** Whether `bytes` are well-formed UTF-8 (no stray continuation bytes, overlongs or surrogates). */
export function isUtf8(bytes: Uint8Array): boolean {
  // Node's validator answers as a fatal TextDecoder does without building the string: this runs for
  // every source record (pipeline/test/hotPath.test.ts checks the two agree).
  return nodeIsUtf8(bytes);
}

/** The raw fields of a dead-letter row for `raw` (bytes as received, or text). */
export function boundedRaw(
  raw: Uint8Array | string,
): Pick<DeadLetterRow, 'raw' | 'raw_bytes' | 'raw_sha256' | 'raw_encoding'> {
  const bytes =
    typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const raw_sha256 = createHash('sha256').update(bytes).digest('hex');
  if (typeof raw === 'string' || isUtf8(bytes)) {
    const text = bytes.subarray(0, utf8Cut(bytes, RAW_CAP_BYTES)).toString('utf8');
    return { raw: text, raw_bytes: bytes.length, raw_sha256, raw_encoding: 'utf8' };
  }
  const base64 = bytes.subarray(0, BASE64_SOURCE_BYTES).toString('base64');
  return { raw: base64, raw_bytes: bytes.length, raw_sha256, raw_encoding: 'base64' };
}

/**
 * `text` with every lone surrogate replaced by U+FFFD. V8's JSON.parse errors name the unexpected
 * UTF-16 unit, half of an emoji for instance; JSON.stringify writes it as a "\ud83d" escape, which
 * ClickHouse refuses: one such reason failed the whole dead-letter batch, again and again.
 */
export function wellFormed(text: string): string {
  return text.replace(/\p{Cs}/gu, '\uFFFD');
}

/** The dead-letter row for an input a step refused (its text fields well-formed Unicode). */
export function deadLetterRow(
  origin: string,
  step: string,
  reason: string,
  raw: Uint8Array | string,
  epochMs: number,
): DeadLetterRow {
  return {
    origin: wellFormed(origin),
    step: wellFormed(step),
    reason: capUtf8(wellFormed(reason), REASON_CAP_BYTES),
    ...boundedRaw(raw),
    ts: formatClickHouseDateTime(epochMs),
  };
}

/** A reason for a thrown value: "TypeError: x is undefined" for errors, the text otherwise. */
export function describeThrown(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return `threw ${typeof err === 'string' ? err : (JSON.stringify(err) ?? String(err))}`;
}
