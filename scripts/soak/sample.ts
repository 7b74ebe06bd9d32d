/**
 * What the soak samples, one reading at a time: resident memory of process
 * trees (/proc), JVM memory pools (jstat, which reads the JVM's perf-data file
 * and does not stop it), directory sizes, Kafka consumer lag and the age of
 * the newest tick visible in ClickHouse.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Admin } from 'kafkajs';

const run = promisify(execFile);

function children(pid: number): number[] {
  try {
    const found: number[] = [];
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (text !== '') found.push(...text.split(/\s+/).map(Number));
    }
    return found;
  } catch {
    return [];
  }
}

/** The pid and all its descendants that are alive now. */
export function processTree(pid: number): number[] {
  const all: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    all.push(next);
    queue.push(...children(next));
  }
  return all;
}

/** Resident set size (bytes) of one process, or undefined when it is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Summed RSS (bytes) of a process and its descendants, or undefined when the process is gone. */
export function treeRssBytes(pid: number): number | undefined {
  if (rssBytes(pid) === undefined) return undefined;
  return processTree(pid).reduce((sum, p) => sum + (rssBytes(p) ?? 0), 0);
}

/** A JVM's memory as `jstat -gc` reports it, in bytes. */
export interface JvmMemory {
  /** Survivor + old-generation occupancy: the heap as the last young GC left it (eden is empty right after one). */
  heapAfterGc: number;
  /** Eden + survivor + old occupancy now. */
  heapUsed: number;
  /** Committed heap (all generations' capacities). */
  heapCommitted: number;
  metaspaceUsed: number;
  youngGcs: number;
  fullGcs: number;
  /** Total GC pause seconds so far. */
  gcSeconds: number;
}

/** Parses `jstat -gc` output (two lines: headers and values, KiB and counts). */
export function parseJstatGc(text: string): JvmMemory {
  const [header, values] = text.trim().split('\n');
  if (header === undefined || values === undefined) throw new Error(`unexpected jstat output: ${text}`);
  const names = header.trim().split(/\s+/);
  const numbers = values.trim().split(/\s+/).map(Number);
  const get = (name: string): number => {
    const i = names.indexOf(name);
    const v = numbers[i];
    if (i < 0 || v === undefined || !Number.isFinite(v)) throw new Error(`jstat output lacks ${name}: ${text}`);
    return v;
  };
  const kib = (name: string) => get(name) * 1024;
  return {
    heapAfterGc: kib('S0U') + kib('S1U') + kib('OU'),
    heapUsed: kib('S0U') + kib('S1U') + kib('EU') + kib('OU'),
    heapCommitted: kib('S0C') + kib('S1C') + kib('EC') + kib('OC'),
    metaspaceUsed: kib('MU'),
    youngGcs: get('YGC'),
    fullGcs: get('FGC'),
    gcSeconds: get('GCT'),
  };
}

/** `jstat -gc <pid>` of a running JVM. */
export async function jvmMemory(pid: number): Promise<JvmMemory> {
  const { stdout } = await run('jstat', ['-gc', String(pid)], { timeout: 15_000 });
  return parseJstatGc(stdout);
}

/** Bytes of all regular files under a directory (0 when it does not exist). */
export function directoryBytes(dir: string): number {
  let total = 0;
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    try {
      if (entry.isDirectory()) total += directoryBytes(path);
      else if (entry.isFile()) total += statSync(path).blocks * 512;
    } catch {
      // A file removed between listing and stat (a merged part, a deleted segment).
    }
  }
  return total;
}

/** Records in the topic not yet committed by the consumer group (summed over partitions). */
export async function consumerLag(admin: Admin, topic: string, groupId: string): Promise<number> {
  const [ends, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const done = new Map<number, number>();
  for (const p of committed[0]?.partitions ?? []) done.set(p.partition, Number(p.offset));
  let lag = 0;
  for (const end of ends) {
    const at = done.get(end.partition) ?? -1;
    // -1 = nothing committed yet: everything since the start is pending.
    lag += Number(end.high) - (at < 0 ? Number(end.low) : at);
  }
  return lag;
}

/** Event time (epoch ms) of the newest tick visible in ClickHouse, or undefined when there is none. */
export async function newestTickMs(clickhouse: ClickHouseClient): Promise<number | undefined> {
  const result = await clickhouse.query({
    query: 'SELECT count() AS n, max(toUInt64(toUnixTimestamp(ts)) * 1000 + ts_ms) AS ms FROM ticks',
    format: 'JSONEachRow',
  });
  const row = ((await result.json()) as { n: string | number; ms: string | number }[])[0];
  return row && Number(row.n) > 0 ? Number(row.ms) : undefined;
}

/** Ticks stored (every copy, no FINAL). */
export async function storedTicks(clickhouse: ClickHouseClient): Promise<number> {
  const result = await clickhouse.query({ query: 'SELECT count() AS n FROM ticks', format: 'JSONEachRow' });
  return Number(((await result.json()) as { n: string | number }[])[0]?.n ?? 0);
}
