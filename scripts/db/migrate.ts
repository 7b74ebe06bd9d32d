/** `npm run db:migrate [-- --database <db>]`: applies sql/*.sql to ClickHouse (see migrate-lib.ts). */
import { ConfigError, createLogger, loadConfig } from '@ticker/common';
import { Command } from 'commander';
import { z } from 'zod';
import { MigrationError, migrate } from './migrate-lib';

const optionsSchema = z.object({
  database: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, '--database must be a plain identifier (letters, digits, underscore)')
    .optional(),
  sqlDir: z.string().min(1).optional(),
});

const program = new Command('db:migrate')
  .description('Create the ClickHouse database and apply sql/*.sql in name order (idempotent)')
  .option('-d, --database <name>', 'database to migrate (default: CLICKHOUSE_DATABASE, stocks)')
  .option('--sql-dir <dir>', 'directory of .sql files (default: sql/)')
  .showHelpAfterError()
  .action(async (raw: unknown) => {
    const parsed = optionsSchema.safeParse(raw);
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
    const config = loadConfig();
    const log = createLogger('db-migrate', config.logLevel);
    const database = parsed.data.database ?? config.clickhouse.database;
    const result = await migrate({
      url: config.clickhouse.url,
      user: config.clickhouse.user,
      password: config.clickhouse.password,
      database,
      ...(parsed.data.sqlDir ? { sqlDir: parsed.data.sqlDir } : {}),
      onStatement: (file, index) => log.debug({ file, index }, 'applied'),
    });
    console.log(
      `migrated ClickHouse database ${result.database} at ${config.clickhouse.url}: ${result.files.length} file(s), ${result.statements} statement(s)`,
    );
  });

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof MigrationError || error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
