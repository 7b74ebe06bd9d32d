/**
 * The shapes of the API's answers, as zod schemas. They type the handlers
 * (through fastify-type-provider-zod) and document the responses in the
 * OpenAPI document; the handlers build the values, nothing parses them again.
 */
import { z } from 'zod';

/** An ISO-8601 UTC time with milliseconds. */
const time = z.string().meta({ format: 'date-time' });

/** A tick as the API and the stream send it. */
export const tickEventSchema = z.object({
  id: z.string(),
  symbol: z.string(),
  price: z.number(),
  volume: z.number(),
  ts: time,
});
export type TickEvent = z.infer<typeof tickEventSchema>;

/** A 1-minute candle as the API and the stream send it. */
export const candleEventSchema = z.object({
  symbol: z.string(),
  start: time.meta({ description: 'Start of the minute.' }),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
  vwap: z.number().meta({ description: 'Volume-weighted average price.' }),
  ticks: z.number(),
});
export type CandleEvent = z.infer<typeof candleEventSchema>;

/** A price-move alert as the API and the stream send it. */
export const alertEventSchema = z.object({
  symbol: z.string(),
  start: time.meta({ description: 'Start of the window that moved.' }),
  direction: z.string(),
  movePct: z.number(),
  open: z.number(),
  close: z.number(),
  thresholdPct: z.number(),
});
export type AlertEvent = z.infer<typeof alertEventSchema>;

export const latestAnswerSchema = z
  .object({
    asOf: time.nullable().meta({ description: 'Time of the newest tick; null when there is none.' }),
    symbols: z.array(
      z.object({
        symbol: z.string(),
        price: z.number(),
        ts: time,
        dayOpen: z.number().meta({ description: 'First price of the UTC day of `ts`.' }),
        dayOpenTs: time,
        change: z.number(),
        changePct: z.number(),
      }),
    ),
  })
  .meta({
    description:
      "Per symbol (alphabetical): the last price and the change since the first price of that tick's UTC day.",
  });

export const historyAnswerSchema = z
  .object({
    symbol: z.string(),
    from: time,
    until: time,
    points: z.array(z.object({ ts: time, price: z.number(), volume: z.number() })),
  })
  .meta({ description: "The symbol's ticks in [from, until], oldest first." });

export const recentAnswerSchema = z
  .object({ ticks: z.array(tickEventSchema) })
  .meta({ description: 'The newest ticks of all symbols, newest first.' });

export const statsAnswerSchema = z
  .object({
    from: time,
    until: time,
    symbols: z.array(
      z.object({
        symbol: z.string(),
        ticks: z.number(),
        min: z.number(),
        max: z.number(),
        avg: z.number(),
        volume: z.number(),
        vwap: z.number().nullable().meta({ description: 'Volume-weighted average price; null with no volume.' }),
        first: time,
        last: time,
      }),
    ),
  })
  .meta({ description: 'Per symbol: statistics of its ticks in [from, until].' });

export const candlesAnswerSchema = z
  .object({
    symbol: z.string(),
    from: time,
    until: time,
    candles: z.array(candleEventSchema),
  })
  .meta({ description: "The symbol's 1-minute candles starting in [from, until], oldest first." });

export const alertsAnswerSchema = z
  .object({ alerts: z.array(alertEventSchema) })
  .meta({ description: 'The newest alerts, newest first.' });

export const flinkHealthSchema = z.object({
  status: z.enum(['up', 'down']),
  url: z.string(),
  job: z.object({ id: z.string(), name: z.string(), state: z.string() }).nullable().meta({
    description: "The pipeline's running job, else its most recently started one; null when Flink has none.",
  }),
  lastCheckpointAgeMs: z
    .number()
    .nullable()
    .meta({ description: 'Milliseconds since the last completed checkpoint was acknowledged; null when none.' }),
  error: z.string().optional(),
});
export type FlinkHealth = z.infer<typeof flinkHealthSchema>;

export const workerHealthSchema = z.object({
  status: z.enum(['SERVING', 'NOT_SERVING', 'UNKNOWN', 'SERVICE_UNKNOWN', 'down']),
  address: z.string(),
  error: z.string().optional(),
});
export type WorkerHealth = z.infer<typeof workerHealthSchema>;

export const dataHealthSchema = z.object({
  status: z.enum(['up', 'down']),
  url: z.string(),
  newestTickTs: time.nullable(),
  endToEndLatencyMs: z
    .number()
    .nullable()
    .meta({ description: 'now − newest tick time: how far behind real time the data is.' }),
  rowsPerSecond: z
    .number()
    .nullable()
    .meta({ description: 'Distinct ticks per second with a time in the last 10 s of wall-clock time.' }),
  error: z.string().optional(),
});
export type DataHealth = z.infer<typeof dataHealthSchema>;

export const pipelineHealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded', 'down']).meta({
      description: 'ok: all up and the job running; degraded: something down or not running; down: ClickHouse down.',
    }),
    pipeline: z.string().meta({ description: 'The pipeline whose Flink job is reported (PIPELINE_NAME).' }),
    checkedAt: time,
    clickhouse: dataHealthSchema,
    flink: flinkHealthSchema,
    worker: workerHealthSchema,
  })
  .meta({ description: 'The report; each probe names its own failure.' });
export type PipelineHealth = z.infer<typeof pipelineHealthSchema>;

export const livenessSchema = z.object({ status: z.literal('ok') }).meta({ description: 'The process is up.' });

/** 400: a bad query parameter. */
export const badRequestSchema = z.object({
  error: z.literal('Bad Request'),
  message: z.string().meta({ description: '"<parameter>: <what is wrong>".' }),
  parameter: z.string().meta({ description: 'The first bad parameter.' }),
});
export type BadRequestAnswer = z.infer<typeof badRequestSchema>;

/** 503: ClickHouse cannot answer. */
export const unavailableSchema = z.object({
  error: z.literal('Service Unavailable'),
  message: z.string(),
  service: z.literal('clickhouse'),
  url: z.string(),
});
export type UnavailableAnswer = z.infer<typeof unavailableSchema>;

/** 500: a bug. */
export const internalErrorSchema = z.object({ error: z.literal('Internal Server Error'), message: z.string() });
