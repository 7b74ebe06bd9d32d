/**
 * CPU time and memory of process trees, from /proc (Linux). The benchmark attributes the work of
 * a run to the JVMs of the local Flink cluster (TaskManager with its children, e.g. PyFlink's Python
 * workers; JobManager) and to the TS worker's process tree.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;
const PAGE_BYTES = 4096;

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, seconds. */
  cpuSeconds: number;
  rssBytes: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces: the fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): ppid = 4, utime = 14, stime = 15, rss = 24.
    return {
      pid,
      ppid: Number(fields[1]),
      cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS,
      rssBytes: Number(fields[21]) * PAGE_BYTES,
    };
  } catch {
    return undefined; // exited meanwhile
  }
}

/** Every live process's stat, by pid. */
function allStats(): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.set(stat.pid, stat);
  }
  return stats;
}

/** A named group of process trees (e.g. "taskmanager": the TaskManager JVM and its children). */
export interface ProcessGroup {
  label: string;
  roots: number[];
}

/** Per-process CPU seconds of each group's trees at one moment. */
export type CpuSnapshot = Map<string, Map<number, number>>;

function treeOf(roots: number[], stats: Map<number, ProcStat>): ProcStat[] {
  const children = new Map<number, number[]>();
  for (const s of stats.values()) {
    const list = children.get(s.ppid) ?? [];
    list.push(s.pid);
    children.set(s.ppid, list);
  }
  const out: ProcStat[] = [];
  const queue = roots.filter((r) => stats.has(r));
  const seen = new Set<number>();
  while (queue.length > 0) {
    const pid = queue.pop() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const stat = stats.get(pid);
    if (stat) out.push(stat);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** CPU seconds so far of every process in each group's trees. */
export function cpuSnapshot(groups: readonly ProcessGroup[]): CpuSnapshot {
  const stats = allStats();
  const snapshot: CpuSnapshot = new Map();
  for (const group of groups) {
    snapshot.set(group.label, new Map(treeOf(group.roots, stats).map((s) => [s.pid, s.cpuSeconds])));
  }
  return snapshot;
}

/** CPU seconds each group used between two snapshots (processes born in between count from 0). */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  const used: Record<string, number> = {};
  for (const [label, end] of after) {
    const start = before.get(label) ?? new Map<number, number>();
    let total = 0;
    for (const [pid, seconds] of end) total += seconds - (start.get(pid) ?? 0);
    used[label] = total;
  }
  return used;
}

/** Resident memory (bytes) of each group's trees now. */
export function rssNow(groups: readonly ProcessGroup[]): Record<string, number> {
  const stats = allStats();
  const rss: Record<string, number> = {};
  for (const group of groups) {
    rss[group.label] = treeOf(group.roots, stats).reduce((sum, s) => sum + s.rssBytes, 0);
  }
  return rss;
}

/** Keeps the peak RSS per group and of all groups together over repeated samples. */
export class PeakRss {
  readonly peak: Record<string, number> = {};
  peakTotal = 0;

  constructor(private readonly groups: readonly ProcessGroup[]) {}

  /** Takes one sample. */
  sample(): void {
    const now = rssNow(this.groups);
    let total = 0;
    for (const [label, bytes] of Object.entries(now)) {
      this.peak[label] = Math.max(this.peak[label] ?? 0, bytes);
      total += bytes;
    }
    this.peakTotal = Math.max(this.peakTotal, total);
  }
}
