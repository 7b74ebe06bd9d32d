/**
 * `npm run db:retention -- [--days N] [--every SECONDS]`: drops ClickHouse partitions older than
 * N days (see retention-lib.ts). Once by default; with --every it repeats until stopped, which
 * is how the compose demo runs it.
 */
import { writeFile } from 'node:fs/promises';
import { createClient } from '@clickhouse/client';
import { createLogger, loadConfig } from '@ticker/common';
import { Command } from 'commander';
import { z } from 'zod';
import { dropExpiredPartitions } from './retention-lib';

const optionsSchema = z.object({
  days: z.coerce.number().int('--days must be a whole number').min(1, '--days must be at least 1'),
  heartbeat: z.string().min(1).optional(),
  every: z.coerce
    .number()
    .int('--every must be a whole number of seconds')
    .min(60, '--every must be at least 60 seconds')
    .optional(),
});

const program = new Command('db:retention')
  .description('Drop ClickHouse partitions (by day or month) older than --days days')
  .option('--days <n>', 'days of data to keep, today included', '7')
  .option('--every <seconds>', 'repeat every so many seconds instead of running once')
  .option('--heartbeat <file>', 'write the time to this file after each pass that succeeded')
  .showHelpAfterError()
  .action(async (raw: unknown) => {
    const parsed = optionsSchema.safeParse(raw);
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
    const { days, every, heartbeat } = parsed.data;
    const config = loadConfig();
    const log = createLogger('db-retention', config.logLevel);
    const { url, user, password, database } = config.clickhouse;
    const client = createClient({ url, username: user, password });
    const once = async () => {
      const result = await dropExpiredPartitions(client, database, days);
      log.info(
        { database, days, dropped: result.dropped, kept: result.kept, unknown: result.unknown },
        `retention: dropped ${result.dropped.length} partition(s) older than ${days} day(s)`,
      );
      if (heartbeat) await writeFile(heartbeat, new Date().toISOString());
    };
    if (every === undefined) {
      await once().finally(() => client.close());
      return;
    }
    // A failed pass (ClickHouse restarting) is logged and tried again at the next interval.
    const pass = () => once().catch((error: unknown) => log.warn({ err: error, url }, 'retention pass failed'));
    await pass();
    const timer = setInterval(pass, every * 1000);
    const stop = () => {
      clearInterval(timer);
      void client.close();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
