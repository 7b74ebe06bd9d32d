/**
 * `npm run workshop:topics -- <command>`: look at the Kafka topics of the local stack (which ships no
 * Kafka command-line tools) and add partitions. Brokers and topic names come from loadConfig().
 *   describe [topic...]              partitions, end offsets, and the bridge's committed offsets
 *   add-partitions <topic> <total>   grow a topic to <total> partitions (Kafka cannot shrink one)
 */
import { ConfigError, loadConfig } from '@ticker/common';
import { Command, InvalidArgumentError } from 'commander';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { z } from 'zod';

const total = z.coerce.number().int().min(1).max(1000);

/** One partition's line: its end offset and the bridge consumer group's committed offset. */
interface PartitionLine {
  partition: number;
  endOffset: number;
  committed: number | undefined;
}

async function withAdmin<T>(brokers: string[], run: (admin: Admin) => Promise<T>): Promise<T> {
  const kafka = new Kafka({ clientId: 'workshop-topics', brokers, logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`cannot reach Kafka at ${brokers.join(',')} (KAFKA_BROKERS): ${(error as Error).message}`);
  }
  try {
    return await run(admin);
  } finally {
    await admin.disconnect();
  }
}

/** End offsets and committed offsets of `groupId` for each partition of `topic`. */
async function describeTopic(admin: Admin, topic: string, groupId: string): Promise<PartitionLine[]> {
  const existing = await admin.listTopics();
  if (!existing.includes(topic))
    throw new Error(`topic "${topic}" does not exist (topics: ${existing.sort().join(', ')})`);
  const ends = await admin.fetchTopicOffsets(topic);
  const [groupOffsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const committed = new Map(groupOffsets?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
  return ends
    .map((e) => {
      const offset = committed.get(e.partition);
      return {
        partition: e.partition,
        endOffset: Number(e.offset),
        committed: offset !== undefined && offset >= 0 ? offset : undefined,
      };
    })
    .sort((a, b) => a.partition - b.partition);
}

const program = new Command('workshop-topics')
  .description('Kafka topics of the local stack: partitions, offsets, consumer lag; add partitions')
  .showHelpAfterError();

program
  .command('describe')
  .description('partitions, end offsets and the bridge consumer group committed offsets (lag)')
  .argument('[topics...]', 'topics (default TICKS_TOPIC and DLQ_TOPIC)')
  .option('--group <id>', 'consumer group (default the bridge group ticker-bridge-<PIPELINE_NAME>)')
  .action(async (topics: string[], opts: { group?: string }) => {
    const config = loadConfig();
    const groupId = opts.group ?? `ticker-bridge-${config.pipeline.name}`;
    const names = topics.length > 0 ? topics : [config.kafka.ticksTopic, config.kafka.dlqTopic];
    await withAdmin(config.kafka.brokers, async (admin) => {
      for (const topic of names) {
        const lines = await describeTopic(admin, topic, groupId);
        const sum = lines.reduce((s, l) => s + l.endOffset, 0);
        process.stdout.write(`${topic}: ${lines.length} partitions, ${sum} records (group ${groupId})\n`);
        process.stdout.write('  partition  end offset  committed  lag\n');
        for (const l of lines) {
          const lag = l.committed === undefined ? '-' : String(l.endOffset - l.committed);
          process.stdout.write(
            `  ${String(l.partition).padStart(9)}  ${String(l.endOffset).padStart(10)}  ${String(l.committed ?? '-').padStart(9)}  ${lag}\n`,
          );
        }
      }
    });
  });

program
  .command('add-partitions')
  .description('grow a topic to <total> partitions')
  .argument('<topic>', 'topic name')
  .argument('<total>', 'the new number of partitions (more than it has now)', (value) => {
    const parsed = total.safeParse(value);
    if (!parsed.success) throw new InvalidArgumentError(`expected a number of partitions 1..1000, got "${value}"`);
    return parsed.data;
  })
  .action(async (topic: string, count: number) => {
    const config = loadConfig();
    await withAdmin(config.kafka.brokers, async (admin) => {
      const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      const now = meta?.partitions.length ?? 0;
      if (count <= now) throw new Error(`topic "${topic}" already has ${now} partitions; Kafka can only add`);
      await admin.createPartitions({ topicPartitions: [{ topic, count }] });
      process.stdout.write(`${topic}: ${now} -> ${count} partitions\n`);
    });
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(
    `error: ${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
