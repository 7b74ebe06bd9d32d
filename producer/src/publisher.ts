/**
 * The Kafka side: an idempotent kafkajs producer that sends one batch at a
 * time and reports a batch as sent only once the broker acknowledged it.
 */
import type { Logger } from '@ticker/common';
import {
  CompressionTypes,
  type ICustomPartitioner,
  Kafka,
  logLevel as KafkaLogLevel,
  type Producer as KafkaProducer,
  type logCreator,
  Partitioners,
} from 'kafkajs';
import type { GeneratedRecord } from './generator';

/** What Kafka needs of a record: key, value text and the record timestamp (event time). */
export type OutgoingMessage = Pick<GeneratedRecord, 'key' | 'value' | 'timestampMs'>;

export type Compression = 'none' | 'gzip';

export interface PublisherOptions {
  brokers: string[];
  topic: string;
  compression: Compression;
  /** Retries (with exponential backoff) for connecting and for each batch before giving up. */
  retries: number;
  /** TCP connect timeout per attempt, ms. */
  connectionTimeoutMs?: number;
  clientId?: string;
  logger: Logger;
}

/** Kafka could not be reached or refused the batch; the message names the broker address(es). */
export class KafkaUnavailableError extends Error {
  override readonly name = 'KafkaUnavailableError';
}

/** An idempotent producer for one topic. */
export class TickPublisher {
  private constructor(
    private readonly producer: KafkaProducer,
    private readonly options: PublisherOptions,
  ) {}

  /** Connects (with retries). Throws KafkaUnavailableError naming the brokers when none answers. */
  static async connect(options: PublisherOptions): Promise<TickPublisher> {
    const kafka = new Kafka({
      clientId: options.clientId ?? 'ticker-producer',
      brokers: options.brokers,
      connectionTimeout: options.connectionTimeoutMs ?? 3000,
      requestTimeout: 30_000,
      retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: options.retries },
      logLevel: kafkaLogLevelFor(options.logger),
      logCreator: pinoLogCreator(options.logger),
    });
    const producer = kafka.producer({
      // Idempotence needs acks=all (the default for send) and keeps per-partition order across retries.
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: cachedDefaultPartitioner,
      // Bounded on purpose: an unbounded idempotent retry would hang forever on a dead broker.
      retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: options.retries },
    });
    try {
      await producer.connect();
    } catch (err) {
      throw new KafkaUnavailableError(
        `cannot connect to Kafka broker(s) at ${options.brokers.join(',')}: ${rootMessage(err)}`,
      );
    }
    return new TickPublisher(producer, options);
  }

  /** Sends one batch and resolves once every record in it is acknowledged by all in-sync replicas. */
  async send(records: readonly OutgoingMessage[]): Promise<void> {
    if (records.length === 0) return;
    try {
      await this.producer.send({
        topic: this.options.topic,
        acks: -1,
        compression: this.options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
        messages: records.map((r) => ({ key: r.key, value: r.value, timestamp: String(r.timestampMs) })),
      });
    } catch (err) {
      throw new KafkaUnavailableError(
        `Kafka broker(s) at ${this.options.brokers.join(',')} did not acknowledge a batch of ${records.length} ` +
          `record(s) for topic ${this.options.topic}: ${rootMessage(err)}`,
      );
    }
  }

  /** Disconnects; never throws (the summary matters more than a failed goodbye). */
  async disconnect(): Promise<void> {
    try {
      await this.producer.disconnect();
    } catch (err) {
      this.options.logger.warn({ err: rootMessage(err) }, 'kafka disconnect failed');
    }
  }
}

/**
 * kafkajs's Java-compatible murmur2 partitioner (same key -> partition as any
 * Java client), memoised per key and partition count: there are only a few
 * symbols, and hashing every message cost ~5% of the producer's CPU.
 */
export const cachedDefaultPartitioner: ICustomPartitioner = () => {
  const murmur2 = Partitioners.DefaultPartitioner();
  const cache = new Map<string, number>();
  return (args) => {
    const { message, partitionMetadata } = args;
    if (message.partition !== undefined && message.partition !== null) return message.partition;
    if (typeof message.key !== 'string') return murmur2(args);
    const cacheKey = `${partitionMetadata.length}|${message.key}`;
    let partition = cache.get(cacheKey);
    if (partition === undefined) {
      partition = murmur2(args);
      cache.set(cacheKey, partition);
    }
    return partition;
  };
};

/** The innermost message of a kafkajs error chain (retries wrap the real cause). */
export function rootMessage(err: unknown): string {
  const messages: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    messages.push(current.message);
    current = current.cause;
  }
  return messages.at(-1) ?? String(err);
}

/** kafkajs logs only when our logger is at debug or below; our own errors say what matters. */
function kafkaLogLevelFor(logger: Logger): KafkaLogLevel {
  return logger.isLevelEnabled('debug') ? KafkaLogLevel.DEBUG : KafkaLogLevel.NOTHING;
}

function pinoLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log }) => {
      const { message, ...rest } = log;
      if (level === KafkaLogLevel.ERROR) child.error(rest, message);
      else if (level === KafkaLogLevel.WARN) child.warn(rest, message);
      else if (level === KafkaLogLevel.INFO) child.info(rest, message);
      else child.debug(rest, message);
    };
}
