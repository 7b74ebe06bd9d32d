/**
 * The pipeline descriptor: the JSON the TS side emits and the Java bridge reads.
 * This zod schema is the single source of truth; `descriptor.schema.json` is generated
 * from it (npm run -w pipeline descriptor:schema) and the bridge validates against that.
 */
import { z } from 'zod';

/** The descriptor version this code writes. The bridge refuses any other. */
export const DESCRIPTOR_VERSION = 1;

const nodeName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'node names are lower-case kebab-case (they key Flink operator state)');
const tableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/);
const topic = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/);
const parallelism = z.number().int().positive().optional();

export const sinkTargetSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('clickhouse'), table: tableName }).strict(),
  z.object({ type: z.literal('kafka'), topic }).strict(),
]);

export const sourceSchema = z
  .object({
    kind: z.literal('source'),
    name: nodeName,
    type: z.literal('kafka'),
    topic,
    startingOffsets: z.enum(['earliest', 'latest', 'committed']),
    watermark: z
      .object({
        /** Bounded out-of-orderness of event time (Kafka record timestamp). */
        maxOutOfOrdernessMs: z.number().int().nonnegative(),
        /** A partition silent this long stops holding back the watermark. */
        idlenessMs: z.number().int().positive(),
      })
      .strict(),
  })
  .strict();

export const stepSchema = z.object({ name: nodeName, kind: z.enum(['map', 'filter', 'flatMap', 'keyBy']) }).strict();

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

/** keyBy (from a keyed input chain) + event-time window in Flink; the fired window goes to the worker's Aggregate. */
export const windowNodeSchema = z
  .object({
    kind: z.literal('window'),
    name: nodeName,
    input: nodeName,
    window: windowSpecSchema,
    allowedLatenessMs: z.number().int().nonnegative(),
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
