/**
 * The bridge job's program arguments (the contract in flink/bridge: `--name value` pairs).
 * Only options the user set are passed, so the bridge's own defaults stay the single source.
 */

/** Entry class of the bridge job inside the jar. */
export const BRIDGE_ENTRY_CLASS = 'dev.ticker.bridge.BridgeJob';

export interface BridgeTuning {
  batchSize?: number;
  batchTimeoutMs?: number;
  maxInFlight?: number;
  callTimeoutMs?: number;
  callRetries?: number;
  checkpointIntervalMs?: number;
  sinkBatchSize?: number;
  sinkFlushMs?: number;
  groupId?: string;
}

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
  const optional: [string, number | string | undefined][] = [
    ['--parallelism', input.parallelism],
    ['--batch-size', input.batchSize],
    ['--batch-timeout-ms', input.batchTimeoutMs],
    ['--max-in-flight', input.maxInFlight],
    ['--call-timeout-ms', input.callTimeoutMs],
    ['--call-retries', input.callRetries],
    ['--checkpoint-interval-ms', input.checkpointIntervalMs],
    ['--sink-batch-size', input.sinkBatchSize],
    ['--sink-flush-ms', input.sinkFlushMs],
    ['--group-id', input.groupId],
  ];
  for (const [flag, value] of optional) {
    if (value !== undefined) args.push(flag, String(value));
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
