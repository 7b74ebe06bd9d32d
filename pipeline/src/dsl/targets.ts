/** Sources, sinks and window specs: the leaves of a pipeline definition. */
import type { Dedupe, EventTime, SinkTarget, SourceSettings, WindowSpec } from '../descriptor/schema';

export type { WindowSpec };

/** How far ahead of the clock an event time may be when a pipeline does not say (one minute). */
export const DEFAULT_MAX_AHEAD_MS = 60_000;

/**
 * Kafka source settings: the descriptor's source node (descriptor/schema.ts) without its `kind` and
 * `type`; `startingOffsets` may be left out. `name` is the source's step name; `eventTime` comes from
 * kafkaTime() or fieldTime(); `dedupe` from dedupeById() (omit it to keep every record).
 */
export type KafkaSourceSpec = Omit<SourceSettings, 'startingOffsets'> &
  Partial<Pick<SourceSettings, 'startingOffsets'>>;

/** A source spec with its defaults filled in. */
export type ResolvedKafkaSource = SourceSettings;

/** A Kafka source; `startingOffsets` defaults to 'earliest' (a restored job resumes from its checkpoint anyway). */
export function kafkaSource(spec: KafkaSourceSpec): ResolvedKafkaSource {
  return { startingOffsets: 'earliest', ...spec };
}

/** Event time options: how far ahead of the clock a record may be before it is a dead letter. */
export interface EventTimeOptions {
  maxAheadMs?: number;
}

/**
 * Event time = the Kafka record timestamp. Only right when every producer sets it to the event's time;
 * most clients stamp the send time.
 */
export function kafkaTime(options: EventTimeOptions = {}): EventTime {
  return { from: 'kafka', maxAheadMs: options.maxAheadMs ?? DEFAULT_MAX_AHEAD_MS };
}

/**
 * Event time = a field of the record's JSON value, read by the bridge as it deserializes (so Flink keeps
 * per-partition watermarks). `path` is dotted ('ts', 'meta.sentAt').
 */
export function fieldTime(
  path: string,
  format: 'iso-8601' | 'epoch-millis',
  options: EventTimeOptions = {},
): EventTime {
  return { from: 'field', path: path.split('.'), format, maxAheadMs: options.maxAheadMs ?? DEFAULT_MAX_AHEAD_MS };
}

/** Drops a record whose string field `idPath` (dotted) repeats an id seen with the same Kafka key within `horizonMs`. */
export function dedupeById(idPath: string, horizonMs: number): Dedupe {
  return { idPath: idPath.split('.'), horizonMs };
}

/**
 * A sink target that accepts records of type T. T is a phantom (contravariant) parameter: a stream
 * of another shape cannot be sunk into it, which makes a wrong table row a compile error.
 */
export interface Target<in T> {
  readonly target: SinkTarget;
  /** Never called; only carries the accepted record type. */
  readonly accepts?: (row: T) => void;
}

/** A ClickHouse table; each record must be one row whose keys are exactly the table's columns. */
export function clickhouseTable<Row extends object>(table: string): Target<Row> {
  return { target: { type: 'clickhouse', table } };
}

/** A Kafka topic; each record's JSON is the value, its key the Kafka key. */
export function kafkaTopic<T>(topic: string): Target<T> {
  return { target: { type: 'kafka', topic } };
}

/** Fixed-size, non-overlapping event-time windows. */
export function tumbling(sizeMs: number): WindowSpec {
  return { type: 'tumbling', sizeMs };
}

/** Overlapping event-time windows of `sizeMs`, one starting every `slideMs`. */
export function sliding(sizeMs: number, slideMs: number): WindowSpec {
  return { type: 'sliding', sizeMs, slideMs };
}
