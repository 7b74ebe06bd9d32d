/**
 * Reads a Kafka topic from the beginning as a read_committed consumer, with Kafka's own Java
 * client (ReadCommitted.java, run from source by `java`). The bridge writes dead letters with an
 * EXACTLY_ONCE (transactional) sink, and kafkajs 2.2.4 is not a reliable reader of such topics:
 * it let an aborted record through after a TaskManager kill, and on a fresh topic whose first
 * batches are transaction markers it returned nothing at all within a minute.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const program = fileURLToPath(new URL('./ReadCommitted.java', import.meta.url));

export interface ReadCommittedOptions {
  /** The stack's Kafka libs folder (`stackLayout(config).kafka.libs`): the client jars live there. */
  kafkaLibs: string;
  brokers: string[];
  topic: string;
  /** Stop once this many values arrived (after one more poll, so a duplicate would show). */
  count: number;
  timeoutMs: number;
}

/** The committed values of `topic`, in partition-then-offset order, as strings. */
export async function readCommitted(options: ReadCommittedOptions): Promise<string[]> {
  const args = [
    '-cp',
    `${options.kafkaLibs}/*`,
    program,
    options.brokers.join(','),
    options.topic,
    String(options.count),
    String(options.timeoutMs),
  ];
  const { stdout } = await execFileAsync('java', args, {
    maxBuffer: 64 * 1024 * 1024,
    timeout: options.timeoutMs + 60_000,
  });
  return stdout.split('\n').filter((line) => line.trim() !== '');
}
