/**
 * Keeps a ClickHouse database to a number of days by dropping whole partitions. ClickHouse 18.16
 * (the local stack's) has no TTL, so retention is a job of our own that runs on both versions:
 * it reads the active partitions from `system.parts` and drops those whose last day is older
 * than the cutoff. Tables partitioned by day (`toYYYYMMDD`, partition ids like 20261201) lose a
 * day at a time, tables partitioned by month (`toYYYYMM`, ids like 202612) once the whole month
 * is past; a partition id of any other shape is left alone and reported.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;
const partRowSchema = z.object({ table: z.string(), partition: z.string() });

/** A partition that retention dropped, or left alone because its key is not by day or month. */
export interface PartitionVerdict {
  table: string;
  partition: string;
  /** The last UTC day the partition can hold (YYYY-MM-DD), when its id is a day or a month. */
  lastDay?: string;
}

export interface RetentionResult {
  dropped: PartitionVerdict[];
  kept: number;
  /** Partitions whose id is neither YYYYMMDD nor YYYYMM: retention cannot date them. */
  unknown: PartitionVerdict[];
}

/** The last UTC day a partition id of the form YYYYMMDD or YYYYMM covers, or undefined. */
export function partitionLastDay(partition: string): string | undefined {
  const id = partition.replace(/^'|'$/g, '');
  const day = /^(\d{4})(\d{2})(\d{2})$/.exec(id);
  if (day) {
    const [, y, m, d] = day;
    const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
    // Reject ids that only look like dates (20261341): the round trip must give the same day.
    return date.getUTCDate() === Number(d) && date.getUTCMonth() === Number(m) - 1 ? `${y}-${m}-${d}` : undefined;
  }
  const month = /^(\d{4})(\d{2})$/.exec(id);
  if (month) {
    const [, y, m] = month;
    if (Number(m) < 1 || Number(m) > 12) return undefined;
    // Day 0 of the next month is the last day of this one.
    const last = new Date(Date.UTC(Number(y), Number(m), 0));
    return last.toISOString().slice(0, 10);
  }
  return undefined;
}

/** The first UTC day that is kept when `days` days are kept at `now` (today counts as one). */
export function retentionCutoff(now: Date, days: number): string {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - (days - 1) * 86_400_000).toISOString().slice(0, 10);
}

/** Drops every partition of `database` whose last day is before the cutoff for `days` days. */
export async function dropExpiredPartitions(
  client: ClickHouseClient,
  database: string,
  days: number,
  now: Date = new Date(),
): Promise<RetentionResult> {
  if (!Number.isInteger(days) || days < 1) throw new Error(`days must be a whole number ≥ 1, got ${days}`);
  // 18.16 has no query parameters, so names go into the SQL text: only plain identifiers do.
  if (!identifier.test(database)) throw new Error(`database ${JSON.stringify(database)} must be a plain identifier`);
  const cutoff = retentionCutoff(now, days);
  const result = await client.query({
    query: `SELECT DISTINCT table, partition FROM system.parts WHERE database = '${database}' AND active ORDER BY table, partition`,
    format: 'JSONEachRow',
  });
  const rows = z.array(partRowSchema).parse(await result.json());
  const outcome: RetentionResult = { dropped: [], kept: 0, unknown: [] };
  for (const { table, partition } of rows) {
    const lastDay = partitionLastDay(partition);
    if (lastDay === undefined || !identifier.test(table)) {
      outcome.unknown.push({ table, partition });
    } else if (lastDay < cutoff) {
      // The id is digits only (checked above), so it is safe to splice into the statement.
      await client.command({ query: `ALTER TABLE ${database}.${table} DROP PARTITION ${partition.replace(/'/g, '')}` });
      outcome.dropped.push({ table, partition, lastDay });
    } else {
      outcome.kept += 1;
    }
  }
  return outcome;
}
