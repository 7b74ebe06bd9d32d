/**
 * The pipeline descriptor: the JSON the TS side emits and the Java bridge reads.
 * This zod schema is the single source of truth; `descriptor.schema.json` is generated
 * from it (npm run -w pipeline descriptor:schema) and the bridge validates against that.
 */
import { IDENTIFIER_PATTERN, NODE_NAME_PATTERN, NODE_NAME_RULE, TOPIC_PATTERN } from '@ticker/common';
import { z } from 'zod';

/**
 * The descriptor version this code writes and reads; the bridge and the deploy tooling refuse any other.
 * 2: the source says where event time comes from, how far ahead of the clock it may be, and how it
 * drops repeated ids.
 * 3: windows are accumulators: each window node carries its accumulator spec, Flink merges
 * one-record accumulators the keyed chain makes, and the worker finishes a fired window's accumulator.
 */
export const DESCRIPTOR_VERSION = 3;

const nodeName = z
  .string()
  .regex(NODE_NAME_PATTERN, `node names are ${NODE_NAME_RULE} (they key Flink operator state)`);
const tableName = z.string().regex(IDENTIFIER_PATTERN);
const topic = z.string().regex(TOPIC_PATTERN);
const parallelism = z.number().int().positive().optional();

export const sinkTargetSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('clickhouse'), table: tableName }).strict(),
  z.object({ type: z.literal('kafka'), topic }).strict(),
]);

/** A path into the record's JSON object: one key per level, e.g. ["ts"] or ["meta", "sentAt"]. */
const fieldPath = z.array(z.string().min(1)).min(1).max(8);

/** The formats a field can hold event time in (the bridge reads them as it deserializes). */
export const EVENT_TIME_FORMATS = ['iso-8601', 'epoch-millis'] as const;

/**
 * Where a record's event time comes from. `kafka`: the Kafka record timestamp. `field`: a field of the
 * record's JSON value; `iso-8601` is exactly YYYY-MM-DDTHH:mm:ss.sssZ (a real UTC calendar time, the tick
 * schema's rule), `epoch-millis` a JSON integer. A record whose field cannot be read keeps its Kafka
 * timestamp and does not move the watermark; the pipeline's first step rejects it.
 * `maxAheadMs`: a record more than this far ahead of the clock is a dead letter and never moves the
 * watermark (one tick a day ahead would otherwise make every later tick late).
 */
export const eventTimeSchema = z.discriminatedUnion('from', [
  z.object({ from: z.literal('kafka'), maxAheadMs: z.number().int().positive() }).strict(),
  z
    .object({
      from: z.literal('field'),
      path: fieldPath,
      format: z.enum(EVENT_TIME_FORMATS),
      maxAheadMs: z.number().int().positive(),
    })
    .strict(),
]);

/**
 * Drops a record whose id (a string field of its JSON value) was already seen with the same Kafka key
 * within `horizonMs` (processing time: Flink keyed state with that TTL), before any step runs. A
 * record without a readable id is never dropped.
 */
export const dedupeSchema = z.object({ idPath: fieldPath, horizonMs: z.number().int().positive() }).strict();

export const sourceSchema = z
  .object({
    kind: z.literal('source'),
    name: nodeName,
    type: z.literal('kafka'),
    topic,
    startingOffsets: z.enum(['earliest', 'latest', 'committed']),
    watermark: z
      .object({
        /** Bounded out-of-orderness of event time (see eventTime). */
        maxOutOfOrdernessMs: z.number().int().nonnegative(),
        /** A partition silent this long stops holding back the watermark. */
        idlenessMs: z.number().int().positive(),
      })
      .strict(),
    eventTime: eventTimeSchema,
    dedupe: dedupeSchema.optional(),
  })
  .strict();

/** The stateless step kinds a chain runs. */
export const STEP_KINDS = ['map', 'filter', 'flatMap', 'keyBy'] as const;

export const stepSchema = z.object({ name: nodeName, kind: z.enum(STEP_KINDS) }).strict();

/** Consecutive stateless steps fused into one worker call per batch. */
export const chainNodeSchema = z
  .object({
    kind: z.literal('chain'),
    name: nodeName,
    input: nodeName,
    steps: z.array(stepSchema).min(1),
    /** True when the chain ends in keyBy: outputs carry the key a window node groups by. */
    keyed: z.boolean(),
    parallelism,
  })
  .strict();

export const windowSpecSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('tumbling'), sizeMs: z.number().int().positive() }).strict(),
  z
    .object({ type: z.literal('sliding'), sizeMs: z.number().int().positive(), slideMs: z.number().int().positive() })
    .strict(),
]);

/**
 * How Flink merges two accumulators, field by field. sum/count/min/max are numbers; first/last keep the
 * JSON value of the record that is smallest/largest by the spec's ordering key.
 */
export const ACCUMULATOR_OPS = ['sum', 'count', 'min', 'max', 'first', 'last'] as const;
export type AccumulatorOp = (typeof ACCUMULATOR_OPS)[number];

/** An accumulator field's name: an identifier, the key the finish step reads. */
export const ACCUMULATOR_FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** One accumulator field: its name (the key the finish step reads) and how it merges. */
export const accumulatorFieldSchema = z
  .object({ name: z.string().regex(ACCUMULATOR_FIELD_NAME), op: z.enum(ACCUMULATOR_OPS) })
  .strict();

/**
 * A window's accumulator spec. `ordered`: records carry an ordering key (needed by first/last).
 * Numeric fields (sum, count, min, max) travel as numbers in field order, first/last fields as JSON
 * values in field order (worker.proto Accumulator).
 */
export const accumulatorSpecSchema = z
  .object({ ordered: z.boolean(), fields: z.array(accumulatorFieldSchema).min(1).max(64) })
  .strict();

/**
 * keyBy (from a keyed input chain) + event-time window in Flink. The input chain adds a one-record
 * accumulator per window to each output; Flink merges them (O(1) state per window and key) and the
 * fired window's accumulator goes to the worker's finish (Process, kind FINISH).
 */
export const windowNodeSchema = z
  .object({
    kind: z.literal('window'),
    name: nodeName,
    input: nodeName,
    window: windowSpecSchema,
    allowedLatenessMs: z.number().int().nonnegative(),
    accumulator: accumulatorSpecSchema,
    parallelism,
  })
  .strict();

export const sinkNodeSchema = z
  .object({ kind: z.literal('sink'), name: nodeName, input: nodeName, target: sinkTargetSchema, parallelism })
  .strict();

export const nodeSchema = z.discriminatedUnion('kind', [chainNodeSchema, windowNodeSchema, sinkNodeSchema]);

export const descriptorSchema = z
  .object({
    version: z.literal(DESCRIPTOR_VERSION),
    name: nodeName,
    source: sourceSchema,
    /** Topologically ordered: every node's input is the source or an earlier node. */
    nodes: z.array(nodeSchema).min(1),
    /** Where rejections from any chain or window go (each Rejection.dead_letter is written to every target). */
    deadLetter: z.object({ name: nodeName, targets: z.array(sinkTargetSchema).min(1) }).strict(),
    parallelism: z.number().int().positive(),
  })
  .strict();

export type Descriptor = z.infer<typeof descriptorSchema>;
export type DescriptorNode = z.infer<typeof nodeSchema>;
export type SinkTarget = z.infer<typeof sinkTargetSchema>;
export type EventTime = z.infer<typeof eventTimeSchema>;
export type Dedupe = z.infer<typeof dedupeSchema>;
export type AccumulatorSpec = z.infer<typeof accumulatorSpecSchema>;
export type StepKind = (typeof STEP_KINDS)[number];
export type WindowSpec = z.infer<typeof windowSpecSchema>;
/** A source node's settings as a pipeline states them (the descriptor adds `kind` and `type`). */
export type SourceSettings = Omit<z.infer<typeof sourceSchema>, 'kind' | 'type'>;
