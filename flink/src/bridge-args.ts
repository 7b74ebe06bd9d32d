/**
 * The bridge job's program arguments (the contract in flink/bridge: `--name value` pairs).
 * Only options the user set are passed, so the bridge's own defaults stay the single source.
 */

/** Entry class of the bridge job inside the jar. */
export const BRIDGE_ENTRY_CLASS = 'dev.ticker.bridge.BridgeJob';

/** What values a knob takes: the deploy CLI parses and checks it accordingly (the bridge checks again). */
export type KnobKind = 'positive' | 'nonNegative' | 'text';

/** One tuning knob of the bridge job. */
export interface BridgeKnob {
  /** Its name in BridgeTuning (and the deploy CLI's camelCase flag). */
  key: string;
  /** The program argument, as BridgeArgs.java spells it. */
  flag: `--${string}`;
  kind: KnobKind;
  /** One line for `deploy --help`; the bridge's default is in BridgeArgs.java and flink/bridge/README.md. */
  description: string;
}

/**
 * Every tuning knob the bridge takes, in the one place TypeScript defines them: the deploy CLI's
 * options, BridgeTuning and the program arguments are all made from this list. A test checks it
 * against BridgeArgs.java (flink/test/bridge-knobs.test.ts).
 */
export const BRIDGE_KNOBS = [
  { key: 'batchSize', flag: '--batch-size', kind: 'positive', description: 'max records per worker call' },
  {
    key: 'batchTimeoutMs',
    flag: '--batch-timeout-ms',
    kind: 'nonNegative',
    description: 'max wait before a partial batch is sent',
  },
  { key: 'maxInFlight', flag: '--max-in-flight', kind: 'positive', description: 'concurrent worker calls per subtask' },
  { key: 'callTimeoutMs', flag: '--call-timeout-ms', kind: 'positive', description: 'timeout of one worker call' },
  {
    key: 'callRetries',
    flag: '--call-retries',
    kind: 'nonNegative',
    description: 'worker call retries before the job fails',
  },
  {
    key: 'checkpointIntervalMs',
    flag: '--checkpoint-interval-ms',
    kind: 'positive',
    description: 'checkpoint interval',
  },
  { key: 'sinkBatchSize', flag: '--sink-batch-size', kind: 'positive', description: 'ClickHouse sink batch size' },
  { key: 'sinkFlushMs', flag: '--sink-flush-ms', kind: 'positive', description: 'ClickHouse sink flush interval' },
  { key: 'groupId', flag: '--group-id', kind: 'text', description: 'Kafka consumer group id' },
  {
    key: 'maxRequestBytes',
    flag: '--max-request-bytes',
    kind: 'positive',
    description: 'max serialized bytes of one worker request; a record or window that cannot fit is a dead letter',
  },
  {
    key: 'poisonRestarts',
    flag: '--poison-restarts',
    kind: 'nonNegative',
    description: 'restarts after which an input that keeps failing the same way becomes a dead letter',
  },
] as const satisfies readonly BridgeKnob[];

type Knob = (typeof BRIDGE_KNOBS)[number];

/** The bridge's tuning knobs: only the ones set are passed, so the bridge's defaults stay the single source. */
export type BridgeTuning = { [K in Knob as K['key']]?: K['kind'] extends 'text' ? string : number };

export interface BridgeArgsInput extends BridgeTuning {
  /** The descriptor JSON exactly as `pipeline describe` printed it. */
  descriptorJson: string;
  workerAddress: string;
  kafkaBrokers: string[];
  clickhouse: { url: string; database: string; user: string; password: string };
  parallelism?: number;
}

/** Builds programArgsList for POST /jars/:id/run. */
export function bridgeProgramArgs(input: BridgeArgsInput): string[] {
  const args: string[] = [
    '--descriptor-base64',
    Buffer.from(input.descriptorJson, 'utf8').toString('base64'),
    '--worker',
    input.workerAddress,
    '--kafka-brokers',
    input.kafkaBrokers.join(','),
    '--clickhouse-url',
    input.clickhouse.url,
    '--clickhouse-database',
    input.clickhouse.database,
    '--clickhouse-user',
    input.clickhouse.user,
    '--clickhouse-password',
    input.clickhouse.password,
  ];
  if (input.parallelism !== undefined) args.push('--parallelism', String(input.parallelism));
  for (const knob of BRIDGE_KNOBS) {
    const value = input[knob.key];
    if (value !== undefined) args.push(knob.flag, String(value));
  }
  return args;
}

/** The same list with the password and descriptor shortened, for printing. */
export function redactProgramArgs(args: string[]): string[] {
  return args.map((value, i) => {
    const flag = args[i - 1];
    if (flag === '--clickhouse-password') return value === '' ? "''" : '***';
    if (flag === '--descriptor-base64') return `<${value.length} base64 chars>`;
    return value;
  });
}
