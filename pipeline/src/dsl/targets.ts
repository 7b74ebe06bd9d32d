/** Sources, sinks and window specs: the leaves of a pipeline definition. */
import type { SinkTarget } from '../descriptor/schema';

/** Kafka source settings. Event time is the Kafka record timestamp. */
export interface KafkaSourceSpec {
  /** Step name of the source (kebab-case, unique in the pipeline). */
  name: string;
  topic: string;
  startingOffsets?: 'earliest' | 'latest' | 'committed';
  watermark: {
    /** Bounded out-of-orderness of event time. */
    maxOutOfOrdernessMs: number;
    /** A partition silent this long stops holding back the watermark. */
    idlenessMs: number;
  };
}

/** A Kafka source; `startingOffsets` defaults to 'earliest' (a restored job resumes from its checkpoint anyway). */
export function kafkaSource(spec: KafkaSourceSpec): Required<KafkaSourceSpec> {
  return { startingOffsets: 'earliest', ...spec };
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

export type WindowSpec = { type: 'tumbling'; sizeMs: number } | { type: 'sliding'; sizeMs: number; slideMs: number };

/** Fixed-size, non-overlapping event-time windows. */
export function tumbling(sizeMs: number): WindowSpec {
  return { type: 'tumbling', sizeMs };
}

/** Overlapping event-time windows of `sizeMs`, one starting every `slideMs`. */
export function sliding(sizeMs: number, slideMs: number): WindowSpec {
  return { type: 'sliding', sizeMs, slideMs };
}
