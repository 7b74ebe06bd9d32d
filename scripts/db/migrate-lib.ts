/**
 * Applies sql/*.sql, in file-name order, to one ClickHouse database (created
 * first). Every statement in sql/ is idempotent (IF NOT EXISTS), so running the
 * migration again changes nothing. Tests call `migrate()` to get their own database.
 * `ALTER TABLE t ADD COLUMN c ...` is made idempotent here: ClickHouse 18.16 has no
 * ADD COLUMN IF NOT EXISTS, so the statement is skipped when `t` already has `c`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { repoRoot } from '../stack/layout';
import { splitSqlStatements } from './split-sql';

export interface MigrateOptions {
  url: string;
  user: string;
  password: string;
  database: string;
  /** Directory of the .sql files (default: the repository's sql/). */
  sqlDir?: string;
  /** Called once per applied statement (file name, statement index from 1). */
  onStatement?: (file: string, index: number) => void;
}

export interface MigrateResult {
  database: string;
  files: string[];
  statements: number;
}

/** Raised when a statement fails; names the file, the statement and the server's answer. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `ALTER TABLE <table> ADD COLUMN <column> ...` (after comment lines): the table and column, else undefined. */
export function addedColumn(statement: string): { table: string; column: string } | undefined {
  const code = statement
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n');
  const match =
    /^\s*ALTER\s+TABLE\s+`?([A-Za-z_][A-Za-z0-9_]*)`?\s+ADD\s+COLUMN\s+`?([A-Za-z_][A-Za-z0-9_]*)`?\s/i.exec(code);
  return match ? { table: match[1]!, column: match[2]! } : undefined;
}

/** The .sql files of `dir` in name order. */
export function migrationFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
}

/** True when `table` of the client's database has `column`. */
async function hasColumn(db: ClickHouseClient, table: string, column: string): Promise<boolean> {
  const result = await db.query({
    query: `SELECT count() AS n FROM system.columns WHERE database = currentDatabase() AND table = '${table}' AND name = '${column}'`,
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ n: string | number }>();
  return Number(rows[0]?.n ?? 0) > 0;
}

/** Creates the database if needed and applies every sql/*.sql statement to it. */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  if (!identifier.test(options.database)) {
    throw new MigrationError(`database name ${JSON.stringify(options.database)} must be a plain identifier`);
  }
  const sqlDir = options.sqlDir ?? join(repoRoot, 'sql');
  const files = migrationFiles(sqlDir);
  const credentials = { url: options.url, username: options.user, password: options.password };
  const server = createClient(credentials);
  try {
    await server.command({ query: `CREATE DATABASE IF NOT EXISTS ${options.database}` });
  } catch (error) {
    await server.close();
    throw new MigrationError(
      `could not create database ${options.database} on ClickHouse at ${options.url}: ${(error as Error).message}`,
    );
  }
  await server.close();
  // The database goes in the client's `database` option, which becomes ?database=
  // (ClickHouse 18.16 ignores the X-ClickHouse-Database header).
  const db = createClient({ ...credentials, database: options.database });
  let statements = 0;
  try {
    for (const file of files) {
      const parts = splitSqlStatements(readFileSync(join(sqlDir, file), 'utf8'));
      for (const [index, query] of parts.entries()) {
        try {
          const added = addedColumn(query);
          const exists = added !== undefined && (await hasColumn(db, added.table, added.column));
          if (!exists) await db.command({ query });
        } catch (error) {
          throw new MigrationError(
            `${file}, statement ${index + 1} failed on ClickHouse at ${options.url} (database ${options.database}): ${(error as Error).message}\n${query}`,
          );
        }
        statements += 1;
        options.onStatement?.(file, index + 1);
      }
    }
  } finally {
    await db.close();
  }
  return { database: options.database, files, statements };
}
