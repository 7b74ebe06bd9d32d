/**
 * Producer throughput benchmark: sends N generated ticks as fast as possible to
 * the local broker through the same send loop and publisher as the CLI, and
 * prints ticks/s and MB/s. Uses its own topic (6 partitions), deleted afterwards.
 *
 *   npx tsx scripts/bench/producer.ts [--count 1000000] [--batch-size 2000] [--compression none|gzip] [--lanes 2]
 */
import { loadavg } from 'node:os';
import { createLogger, loadConfig } from '@ticker/common';
import { Command } from 'commander';
import { Kafka, logLevel } from 'kafkajs';
import { z } from 'zod';
import { generateTicks } from '../../producer/src/generator';
import { LanedPublisher } from '../../producer/src/lanes';
import { TickPublisher } from '../../producer/src/publisher';
import { runProducer } from '../../producer/src/run';

const argsSchema = z.object({
  count: z.coerce.number().int().positive('--count must be a positive integer'),
  batchSize: z.coerce.number().int().min(1).max(100_000, '--batch-size must be 1..100000'),
  compression: z.enum(['none', 'gzip'], { error: '--compression must be none or gzip' }),
  partitions: z.coerce.number().int().min(1).max(64, '--partitions must be 1..64'),
  keep: z.boolean(),
  lanes: z.coerce.number().int().min(1).max(8, '--lanes must be 1..8'),
});

const raw = new Command('bench-producer')
  .option('--count <n>', 'ticks to send', '1000000')
  .option('--batch-size <n>', 'records per Kafka request', '2000')
  .option('--compression <codec>', 'none or gzip', 'none')
  .option('--partitions <n>', 'partitions of the bench topic', '6')
  .option('--lanes <n>', 'producer lanes (worker threads, one idempotent producer each)', '1')
  .option('--keep', 'keep the bench topic afterwards', false)
  .parse()
  .opts();
const parsed = argsSchema.safeParse(raw);
if (!parsed.success) {
  console.error(`error: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  process.exit(2);
}
const args = parsed.data;
const config = loadConfig();
const logger = createLogger('bench-producer', config.logLevel);
const topic = `bench-producer-${Date.now()}`;

const admin = new Kafka({
  clientId: 'bench-producer-admin',
  brokers: config.kafka.brokers,
  logLevel: logLevel.NOTHING,
}).admin();
try {
  await admin.connect();
} catch (err) {
  console.error(`error: cannot reach Kafka at ${config.kafka.brokers.join(',')}: ${(err as Error).message}`);
  process.exit(1);
}
await admin.createTopics({ topics: [{ topic, numPartitions: args.partitions }], waitForLeaders: true });

const publisherOptions = { brokers: config.kafka.brokers, topic, compression: args.compression, retries: 5 };
/** Sends the ticks; the bench topic is deleted afterwards whatever happens (unless --keep). */
async function measure() {
  try {
    const publisher =
      args.lanes > 1
        ? await LanedPublisher.connect(publisherOptions, args.lanes, config.logLevel)
        : await TickPublisher.connect({ ...publisherOptions, logger });
    const cpuBefore = process.cpuUsage();
    const summary = await runProducer({
      records: generateTicks({ seed: 1, count: args.count }),
      sender: publisher,
      rate: Number.POSITIVE_INFINITY,
      batchSize: args.batchSize,
    });
    const cpu = process.cpuUsage(cpuBefore);
    await publisher.disconnect();
    return { summary, cpu };
  } finally {
    if (!args.keep) await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  }
}
const { summary, cpu } = await measure();

const seconds = summary.elapsedMs / 1000;
const result = {
  status: summary.status,
  sent: summary.sent,
  seconds: Number(seconds.toFixed(2)),
  ticksPerSecond: Math.round(summary.sent / seconds),
  valueMBPerSecond: Number((summary.sentBytes / 1e6 / seconds).toFixed(1)),
  meanValueBytes: Number((summary.sentBytes / Math.max(1, summary.sent)).toFixed(1)),
  // Producer CPU (user + system, all threads) per tick: less sensitive than ticks/s to other load on a shared machine.
  cpuMicrosPerTick: Number(((cpu.user + cpu.system) / Math.max(1, summary.sent)).toFixed(2)),
  cpuBoundTicksPerSecond: Math.round((summary.sent * 1e6) / Math.max(1, cpu.user + cpu.system)),
  loadAverage1m: Number(loadavg()[0]!.toFixed(1)),
  batchSize: args.batchSize,
  compression: args.compression,
  partitions: args.partitions,
  lanes: args.lanes,
  ...(summary.error !== undefined ? { error: summary.error } : {}),
};
console.log(JSON.stringify(result));
process.exitCode = summary.status === 'completed' ? 0 : 1;
