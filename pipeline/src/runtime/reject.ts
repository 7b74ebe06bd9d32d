/**
 * REJECT calls: the dead-letter rows of records the bridge refused before any worker step took them
 * (too large for a request, poison, ahead of the clock). The rows come from the same formatter as
 * every other dead letter (deadLetter.ts), so the bridge knows no row format. The value is handled as
 * bytes only, never parsed: an input that crashed a step cannot crash this call.
 */
import { capUtf8, deadLetterRow, RAW_CAP_BYTES } from '../contract/deadLetter';
import type { BatchResult, WirePrefix, WireRecord, WireRejection } from './wire';

/** The raw fields of a row whose value is only the first bytes of the input (the bridge sent a prefix). */
function prefixRaw(value: Uint8Array, prefix: WirePrefix) {
  const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const whole = { raw_bytes: Number(prefix.bytes), raw_sha256: Buffer.from(prefix.sha256).toString('hex') };
  if (prefix.utf8) {
    try {
      // Streaming decode: a character cut off by the end of the prefix is left out, not replaced.
      const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes, { stream: true });
      return { raw: capUtf8(text, RAW_CAP_BYTES), ...whole, raw_encoding: 'utf8' as const };
    } catch {
      // The bridge said UTF-8 but the bytes are not: keep them as base64, which says what is stored.
    }
  }
  // deadLetterRow's rule: base64 text at most RAW_CAP_BYTES long, i.e. of the first 3/4 as many bytes.
  return { raw: bytes.toString('base64').slice(0, RAW_CAP_BYTES), ...whole, raw_encoding: 'base64' as const };
}

/**
 * One rejection per refused record of node `node` (the row's step), with the bridge's reason; a record
 * whose value is a prefix gets the whole input's length, SHA-256 and encoding from its refusal.
 * Throws only for a record without a refusal (a protocol violation: the call fails, nothing is lost).
 */
export function runReject(node: string, records: readonly WireRecord[]): BatchResult {
  const rejections = records.map((record, i): WireRejection => {
    const refusal = record.refusal;
    if (!refusal) throw new Error(`refused record ${i} for node ${node} carries no refusal (protocol violation)`);
    const row = deadLetterRow(record.origin, node, refusal.reason, record.value, Number(record.timestamp));
    const bounded = refusal.prefix ? { ...row, ...prefixRaw(record.value, refusal.prefix) } : row;
    return { inputIndex: i, step: node, reason: refusal.reason, deadLetter: Buffer.from(JSON.stringify(bounded)) };
  });
  return { outputs: [], rejections };
}
