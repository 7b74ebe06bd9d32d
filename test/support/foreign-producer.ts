/**
 * Sends records with a Kafka client that is not ours (ForeignProducer.java: Kafka's Java client, run
 * from source by `java`), which stamps each record with its send time instead of the tick's time.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const program = fileURLToPath(new URL('./ForeignProducer.java', import.meta.url));

export interface ForeignRecord {
  /** An explicit partition, or undefined for the client's own partitioner (by key). */
  partition?: number;
  key: string;
  value: string;
}

/** Sends `records` in order to `topic`; resolves when the client confirmed every one. */
export async function sendWithForeignClient(options: {
  kafkaLibs: string;
  brokers: string[];
  topic: string;
  records: readonly ForeignRecord[];
  timeoutMs: number;
}): Promise<void> {
  const child = spawn('java', ['-cp', `${options.kafkaLibs}/*`, program, options.brokers.join(','), options.topic], {
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: options.timeoutMs,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = options.records.map(
    (r) => `${r.partition ?? -1}\t${r.key}\t${Buffer.from(r.value, 'utf8').toString('base64')}\n`,
  );
  child.stdin.end(lines.join(''));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0 || stdout.trim() !== `sent ${options.records.length}`) {
    throw new Error(`ForeignProducer exited ${code}, printed ${JSON.stringify(stdout.trim())}: ${stderr.slice(-2000)}`);
  }
}
