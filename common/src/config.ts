/**
 * The one place that reads the environment. Every component calls
 * `loadConfig()` and takes the section it needs; a bad variable fails fast
 * with a message that names it.
 */
import { z } from 'zod';
import { IDENTIFIER_PATTERN, NODE_NAME_PATTERN, NODE_NAME_RULE, TOPIC_PATTERN } from './names';

const port = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be an integer port')
  .min(1, 'must be a port between 1 and 65535')
  .max(65535, 'must be a port between 1 and 65535');

const hostPort = z.string().regex(/^[A-Za-z0-9.\-_]+:\d{1,5}$/, 'must be host:port (for example localhost:9092)');

const httpUrl = z
  .string()
  .url('must be a URL such as http://localhost:8123')
  .refine((u) => u.startsWith('http://') || u.startsWith('https://'), 'must start with http:// or https://')
  .transform((u) => u.replace(/\/+$/, ''));

const identifier = z.string().regex(IDENTIFIER_PATTERN, 'must be a plain identifier (letters, digits, underscore)');

const topicName = z.string().regex(TOPIC_PATTERN, 'must be a valid Kafka topic name');

const positiveInt = z.coerce.number({ error: 'must be a number' }).int('must be an integer').positive('must be > 0');

/** Each variable, its default and its rule. Names here are the contract with compose.yaml. */
export const envSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  KAFKA_BROKERS: z
    .string()
    .default('localhost:9092')
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter((b) => b.length > 0),
    )
    .pipe(z.array(hostPort).min(1, 'must list at least one broker')),
  TICKS_TOPIC: topicName.default('stock-ticks'),
  DLQ_TOPIC: topicName.default('stock-ticks-dlq'),
  /** Name of the stock pipeline (its Flink job, consumer group and state); lets two copies share a cluster. */
  PIPELINE_NAME: z.string().regex(NODE_NAME_PATTERN, `must be ${NODE_NAME_RULE}`).default('stock-ticks'),

  CLICKHOUSE_URL: httpUrl.default('http://localhost:8123'),
  CLICKHOUSE_USER: z.string().min(1).default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_DATABASE: identifier.default('stocks'),
  /** The read-only user the dashboard queries as (created by sql/). */
  DASHBOARD_CLICKHOUSE_USER: z.string().min(1).default('dashboard'),
  DASHBOARD_CLICKHOUSE_PASSWORD: z.string().default('dashboard'),

  FLINK_URL: httpUrl.default('http://localhost:8081'),

  /** Port the TS worker listens on. */
  WORKER_PORT: port.default(50051),
  /** Address the bridge (inside Flink) dials to reach the worker. */
  WORKER_ADDRESS: hostPort.default('localhost:50051'),
  /** Worker processes; 0 means one per CPU core. */
  WORKER_PROCESSES: z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(0).default(0),

  DASHBOARD_HOST: z.string().min(1).default('127.0.0.1'),
  DASHBOARD_PORT: port.default(3000),
  /** How long the dashboard reuses an API answer for identical requests (ms; 0 = off). */
  DASHBOARD_CACHE_MS: z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(0).default(1000),
  /** How often the dashboard's live feed polls ClickHouse for new rows (ms). */
  DASHBOARD_POLL_MS: positiveInt.default(500),

  /** Where the local stack keeps downloads, data and logs. */
  STACK_DIR: z.string().min(1).default('.stack'),
  KAFKA_CONTROLLER_PORT: port.default(9093),
  FLINK_TASK_SLOTS: positiveInt.default(4),
  /** ClickHouse native (TCP) port of the local stack's server, for clickhouse-client. */
  CLICKHOUSE_NATIVE_PORT: port.default(9000),
  /** JobManager RPC port of the local stack's Flink cluster. */
  FLINK_RPC_PORT: port.default(6123),
});

export type Env = z.infer<typeof envSchema>;

/** Raised when an environment variable is invalid; the message names each bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: { variable: string; message: string; value: string | undefined }[]) {
    super(
      `Invalid configuration:\n${problems
        .map((p) => `  ${p.variable}=${JSON.stringify(p.value ?? '')}: ${p.message}`)
        .join('\n')}`,
    );
  }
}

export interface Config {
  logLevel: Env['LOG_LEVEL'];
  kafka: { brokers: string[]; ticksTopic: string; dlqTopic: string };
  pipeline: { name: string };
  clickhouse: {
    url: string;
    user: string;
    password: string;
    database: string;
    dashboardUser: string;
    dashboardPassword: string;
  };
  flink: { url: string };
  worker: { port: number; address: string; processes: number };
  dashboard: { host: string; port: number; cacheMs: number; pollMs: number };
  stack: {
    dir: string;
    kafkaControllerPort: number;
    flinkTaskSlots: number;
    clickhouseNativePort: number;
    flinkRpcPort: number;
  };
}

/** Reads and validates the environment (process.env by default). Throws ConfigError. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset" so that `FOO= cmd` falls back to the default.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? '(environment)');
        return { variable, message: issue.message, value: env[variable] };
      }),
    );
  }
  const e = parsed.data;
  return {
    logLevel: e.LOG_LEVEL,
    kafka: { brokers: e.KAFKA_BROKERS, ticksTopic: e.TICKS_TOPIC, dlqTopic: e.DLQ_TOPIC },
    pipeline: { name: e.PIPELINE_NAME },
    clickhouse: {
      url: e.CLICKHOUSE_URL,
      user: e.CLICKHOUSE_USER,
      password: e.CLICKHOUSE_PASSWORD,
      database: e.CLICKHOUSE_DATABASE,
      dashboardUser: e.DASHBOARD_CLICKHOUSE_USER,
      dashboardPassword: e.DASHBOARD_CLICKHOUSE_PASSWORD,
    },
    flink: { url: e.FLINK_URL },
    worker: { port: e.WORKER_PORT, address: e.WORKER_ADDRESS, processes: e.WORKER_PROCESSES },
    dashboard: {
      host: e.DASHBOARD_HOST,
      port: e.DASHBOARD_PORT,
      cacheMs: e.DASHBOARD_CACHE_MS,
      pollMs: e.DASHBOARD_POLL_MS,
    },
    stack: {
      dir: e.STACK_DIR,
      kafkaControllerPort: e.KAFKA_CONTROLLER_PORT,
      flinkTaskSlots: e.FLINK_TASK_SLOTS,
      clickhouseNativePort: e.CLICKHOUSE_NATIVE_PORT,
      flinkRpcPort: e.FLINK_RPC_PORT,
    },
  };
}

/** The environment variable names the config module reads (compose.yaml is checked against this). */
export const configVariables: readonly string[] = Object.keys(envSchema.shape);
