/**
 * How much disk a day of the demo takes: runs the stock pipeline on the local stack at the
 * demo's rate and mix (compose's producer: 50 ticks/s, 1 % malformed) for a while, then measures
 * what it left on disk — the ClickHouse tables after their merges, and the Kafka topics' log
 * segments — and scales that to a day. Prints the figures; nothing is timed.
 *
 *   npx tsx scripts/bench/disk.ts [--minutes 10] [--rate 50] [--bad-ratio 0.01]
 *
 * Needs the local stack up (`npm run stack:up`) and the bridge jar built.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { z } from 'zod';
import { E2ERun, eventually } from '../../test/e2e/harness';
import { repoRoot } from '../stack/layout';

const argsSchema = z.object({
  minutes: z.coerce.number().positive('--minutes must be > 0'),
  rate: z.coerce.number().positive('--rate must be > 0'),
  badRatio: z.coerce.number().min(0).max(1, '--bad-ratio must be within 0..1'),
});

const partRowSchema = z.object({ table: z.string(), rows: z.coerce.number(), bytes: z.coerce.number() });

/** Bytes of the log segments (not the sparse, preallocated indexes) of a topic's partitions. */
function topicLogBytes(dataDir: string, topic: string): number {
  let total = 0;
  for (const dir of readdirSync(dataDir)) {
    if (!dir.startsWith(`${topic}-`) || !/^\d+$/.test(dir.slice(topic.length + 1))) continue;
    for (const file of readdirSync(join(dataDir, dir))) {
      if (file.endsWith('.log')) total += statSync(join(dataDir, dir, file)).size;
    }
  }
  return total;
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

const program = new Command('bench:disk')
  .description('Measure the disk a day of the demo takes (ClickHouse tables and Kafka topics)')
  .option('--minutes <n>', 'minutes of producing at the demo rate', '10')
  .option('--rate <n>', 'ticks per second (compose default: 50)', '50')
  .option('--bad-ratio <r>', 'fraction of malformed records (compose default: 0.01)', '0.01')
  .action(async (raw: unknown) => {
    const args = argsSchema.parse(raw);
    const run = await E2ERun.start('disk');
    const seconds = args.minutes * 60;
    try {
      console.log(`producing ${args.rate} ticks/s for ${args.minutes} min into ${run.config.kafka.ticksTopic} ...`);
      const producer = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          join(repoRoot, 'producer/src/cli.ts'),
          '--rate',
          String(args.rate),
          '--bad-ratio',
          String(args.badRatio),
          '--duration',
          `${seconds}s`,
          '--seed',
          '7',
        ],
        { env: { ...run.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'inherit', 'inherit'] },
      );
      const exitCode = await new Promise<number | null>((resolve) => producer.once('exit', resolve));
      if (exitCode !== 0) throw new Error(`the producer exited with ${exitCode}`);
      const expectedValid = Math.round(args.rate * seconds * (1 - args.badRatio));
      // The last windows close once the watermark passes them: wait for the ticks, not for candles.
      await eventually(
        `about ${expectedValid} ticks are in ClickHouse`,
        async () => (await run.counts()).ticks >= expectedValid * 0.98,
        300_000,
      );
      const tables = ['ticks', 'candles_1m', 'rejected', 'alerts', 'daily_prices'];
      // Merged parts are what a long-running demo keeps on disk.
      for (const table of tables) await run.clickhouse.command({ query: `OPTIMIZE TABLE ${table} FINAL` });
      const parts = await run.clickhouse.query({
        query: `SELECT table, sum(rows) AS rows, sum(bytes_on_disk) AS bytes FROM system.parts WHERE database = '${run.config.clickhouse.database}' AND active GROUP BY table ORDER BY table`,
        format: 'JSONEachRow',
      });
      const rows = z.array(partRowSchema).parse(await parts.json());
      const kafkaTicks = topicLogBytes(run.stack.layout.kafka.data, run.config.kafka.ticksTopic);
      const kafkaDlq = topicLogBytes(run.stack.layout.kafka.data, run.config.kafka.dlqTopic);
      const perDay = 86_400 / seconds;
      console.log(`\nmeasured over ${args.minutes} min at ${args.rate} ticks/s; "per day" scales that by ${perDay}`);
      console.log('| store | rows | measured MiB | MiB per day | bytes per tick |');
      console.log('| --- | ---: | ---: | ---: | ---: |');
      const ticks = args.rate * seconds;
      const line = (name: string, count: number | string, bytes: number) =>
        console.log(`| ${name} | ${count} | ${mib(bytes)} | ${mib(bytes * perDay)} | ${(bytes / ticks).toFixed(1)} |`);
      for (const r of rows) line(`ClickHouse ${r.table}`, r.rows, r.bytes);
      line(`Kafka ${run.config.kafka.ticksTopic}`, '', kafkaTicks);
      line(`Kafka ${run.config.kafka.dlqTopic}`, '', kafkaDlq);
      const total = rows.reduce((sum, r) => sum + r.bytes, 0) + kafkaTicks + kafkaDlq;
      line('total', '', total);
    } finally {
      await run.cleanup();
    }
  });

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
