/** Builds the dead-letter row (same shape the bridge writes for late records). */
import type { DeadLetterRow } from '../dsl/types';

/** Epoch ms as ClickHouse DateTime text in UTC: 'YYYY-MM-DD hh:mm:ss' (milliseconds dropped). */
export function formatClickHouseDateTime(epochMs: number): string {
  // A missing Kafka timestamp arrives as -1; DateTime cannot hold times before 1970.
  const ms = Number.isFinite(epochMs) && epochMs >= 0 ? epochMs : 0;
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** The dead-letter row for an input a step refused. */
export function deadLetterRow(
  origin: string,
  step: string,
  reason: string,
  raw: string,
  epochMs: number,
): DeadLetterRow {
  return { origin, step, reason, raw, ts: formatClickHouseDateTime(epochMs) };
}

/** A reason for a thrown value: "TypeError: x is undefined" for errors, the text otherwise. */
export function describeThrown(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return `threw ${typeof err === 'string' ? err : (JSON.stringify(err) ?? String(err))}`;
}
