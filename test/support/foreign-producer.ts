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
  /** The key text; null sends a record without a key. */
  key: string | null;
  /** The value as text or exact bytes; null sends a record without a value. */
  value: string | Buffer | null;
}

/** How ForeignProducer.java reads a null key or value (base64 never contains a backslash). */
const NULL_FIELD = '\\N';

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
  const lines = options.records.map((r) => {
    if (r.key !== null && /[\t\r\n]/.test(r.key))
      throw new Error(`a key cannot hold a tab or line break: ${JSON.stringify(r.key)}`);
    const value = r.value === null ? NULL_FIELD : Buffer.from(r.value).toString('base64');
    return `${r.partition ?? -1}\t${r.key ?? NULL_FIELD}\t${value}\n`;
  });
  child.stdin.end(lines.join(''));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0 || stdout.trim() !== `sent ${options.records.length}`) {
    throw new Error(`ForeignProducer exited ${code}, printed ${JSON.stringify(stdout.trim())}: ${stderr.slice(-2000)}`);
  }
}
