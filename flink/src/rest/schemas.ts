/**
 * zod schemas for the parts of Flink's REST API (2.2) the tooling reads. Objects are
 * not strict: Flink adds fields between releases and we only depend on these.
 */
import { z } from 'zod';

/** Flink's error body: `{"errors": ["message", "stack or detail", ...]}`. */
export const errorBodySchema = z.object({ errors: z.array(z.string()) });

export const overviewSchema = z.object({
  'flink-version': z.string(),
  taskmanagers: z.number().int(),
  'slots-total': z.number().int(),
  'slots-available': z.number().int(),
  'jobs-running': z.number().int(),
});
export type ClusterOverview = z.infer<typeof overviewSchema>;

/** Job states that end a job; every other state means it is (or will be) running. */
export const TERMINAL_JOB_STATES = ['FINISHED', 'FAILED', 'CANCELED'] as const;

export const jobOverviewSchema = z.object({
  jid: z.string(),
  name: z.string(),
  state: z.string(),
  'start-time': z.number(),
  'end-time': z.number(),
  duration: z.number(),
  'last-modification': z.number().optional(),
});
export type JobOverview = z.infer<typeof jobOverviewSchema>;

export const jobsOverviewSchema = z.object({ jobs: z.array(jobOverviewSchema) });

export const vertexSchema = z.object({
  id: z.string(),
  name: z.string(),
  parallelism: z.number().int(),
  status: z.string(),
  duration: z.number().optional(),
  /** Subtask counts per execution state, e.g. {"RUNNING": 2, "CREATED": 0, ...}. */
  tasks: z.record(z.string(), z.number().int()),
  metrics: z
    .object({
      'read-records': z.number(),
      'write-records': z.number(),
      'read-bytes': z.number().optional(),
      'write-bytes': z.number().optional(),
    })
    .partial()
    .optional(),
});
export type JobVertex = z.infer<typeof vertexSchema>;

export const jobDetailsSchema = z.object({
  jid: z.string(),
  name: z.string(),
  state: z.string(),
  'start-time': z.number(),
  'end-time': z.number().optional(),
  duration: z.number().optional(),
  now: z.number().optional(),
  vertices: z.array(vertexSchema),
});
export type JobDetails = z.infer<typeof jobDetailsSchema>;

const exceptionEntrySchema = z.object({
  exceptionName: z.string().optional(),
  stacktrace: z.string().optional(),
  timestamp: z.number().optional(),
  taskName: z.string().nullable().optional(),
});

/** /jobs/:id/exceptions. Flink 2 has only the history; 1.x also had `root-exception`. */
export const jobExceptionsSchema = z.object({
  'root-exception': z.string().nullable().optional(),
  timestamp: z.number().nullable().optional(),
  exceptionHistory: z.object({ entries: z.array(exceptionEntrySchema), truncated: z.boolean().optional() }).optional(),
});
export type JobExceptions = z.infer<typeof jobExceptionsSchema>;

const completedCheckpointSchema = z.object({
  id: z.number().int(),
  status: z.string().optional(),
  is_savepoint: z.boolean().optional(),
  trigger_timestamp: z.number(),
  latest_ack_timestamp: z.number().optional(),
  end_to_end_duration: z.number().optional(),
  state_size: z.number().optional(),
  checkpointed_size: z.number().optional(),
  external_path: z.string().optional(),
});
export type CompletedCheckpoint = z.infer<typeof completedCheckpointSchema>;

export const checkpointStatsSchema = z.object({
  counts: z
    .object({ completed: z.number().int(), failed: z.number().int(), in_progress: z.number().int() })
    .partial()
    .optional(),
  latest: z
    .object({
      completed: completedCheckpointSchema.nullable().optional(),
      savepoint: completedCheckpointSchema.nullable().optional(),
      restored: z
        .object({ id: z.number().int(), external_path: z.string().optional(), is_savepoint: z.boolean().optional() })
        .nullable()
        .optional(),
    })
    .optional(),
});
export type CheckpointStats = z.infer<typeof checkpointStatsSchema>;

export const jarUploadSchema = z.object({ filename: z.string(), status: z.string() });

export const jarListSchema = z.object({
  files: z.array(z.object({ id: z.string(), name: z.string(), uploaded: z.number().optional() })),
});

export const jarRunSchema = z.object({ jobid: z.string() });

export const triggerSchema = z.object({ 'request-id': z.string() });

/** /jobs/:id/savepoints/:trigger — an async operation's status (`operation` is null while IN_PROGRESS). */
export const savepointStatusSchema = z.object({
  status: z.object({ id: z.enum(['IN_PROGRESS', 'COMPLETED']) }),
  operation: z
    .object({
      location: z.string().optional(),
      'failure-cause': z.object({ class: z.string().optional(), 'stack-trace': z.string().optional() }).optional(),
    })
    .nullable()
    .optional(),
});
export type SavepointStatus = z.infer<typeof savepointStatusSchema>;

/**
 * /jobs/:id/vertices/:vid/metrics?get=0.a,1.a — one value per subtask, as text (counters and meters
 * alike). Missing metrics are left out of the answer.
 */
export const vertexMetricValuesSchema = z.array(z.object({ id: z.string(), value: z.string() }));
