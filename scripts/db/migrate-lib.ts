/**
 * Applies sql/*.sql, in file-name order, to one ClickHouse database (created
 * first). Every statement in sql/ is idempotent (IF NOT EXISTS), so running the
 * migration again changes nothing. Tests call `migrate()` to get their own database.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
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

/** The .sql files of `dir` in name order. */
export function migrationFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
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
          await db.command({ query });
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
