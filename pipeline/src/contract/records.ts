/** The value types a pipeline definition works with. */

/** What the first step after a source receives: the raw Kafka record. */
export interface SourceRecord {
  /** The Kafka value as UTF-8 text (may be malformed: parse and validate it). */
  readonly value: string;
  /** The Kafka key ('' when absent). */
  readonly key: string;
  /**
   * Event time, epoch milliseconds: what the source's eventTime says (the Kafka record timestamp, or
   * the record's own field); the Kafka timestamp when that field could not be read.
   */
  readonly timestamp: number;
  /** topic/partition/offset of the Kafka record. */
  readonly origin: string;
}

/** The window a window aggregate is computing. Bounds in epoch ms, start inclusive, end exclusive. */
export interface WindowInfo {
  readonly key: string;
  readonly start: number;
  readonly end: number;
}

/** The row written to the dead-letter targets (the `rejected` table and the DLQ topic). */
export interface DeadLetterRow {
  /** topic/partition/offset of the Kafka record the rejected input came from. */
  origin: string;
  /** Name of the step that refused it. */
  step: string;
  reason: string;
  /**
   * The refused input's value: the raw Kafka value for the first chain, else the record's JSON.
   * At most 64 KiB of it (UTF-8 cut on a character boundary), base64 when it is not UTF-8.
   */
  raw: string;
  /** Length of the whole raw input in bytes (more than `raw` holds when it was cut). */
  raw_bytes: number;
  /** SHA-256 (hex) of the whole raw input. */
  raw_sha256: string;
  /** How `raw` is written: 'utf8' text, or 'base64' for bytes that are not UTF-8. */
  raw_encoding: 'utf8' | 'base64';
  /** Event time in UTC as ClickHouse DateTime text 'YYYY-MM-DD hh:mm:ss'. */
  ts: string;
}
