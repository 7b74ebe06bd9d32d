/** Medians, ratios and the Markdown tables of the side-by-side benchmark's results. */
import type { EngineName } from './compare-engines';
import type { LatencyResult, ThroughputResult } from './compare-measure';

export interface CompareResults {
  /** When, where and how the results were measured. */
  meta: {
    date: string;
    command: string;
    ticks: number;
    cpus: string;
    node: string;
    notes: string[];
  };
  throughput: ThroughputResult[];
  latency: LatencyResult[];
  sweep: ThroughputResult[];
}

export const ENGINE_TITLES: Record<EngineName, string> = {
  bridge: 'ours: TS worker via the bridge',
  java: 'native Java (Flink job)',
  pyflink: 'PyFlink (process mode)',
};

/** The median (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const fixed = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

export interface EngineSummary {
  engine: EngineName;
  runs: number;
  ticksPerSecond: number;
  steadyTicksPerSecond: number;
  cpuSecondsPer100k: number;
  peakRssTotalMiB: number;
  peakRssOwnMiB: number;
  allCorrect: boolean;
}

/** Median figures per engine over its throughput runs. */
export function summarizeThroughput(results: readonly ThroughputResult[]): EngineSummary[] {
  const engines = [...new Set(results.map((r) => r.engine))];
  return engines.map((engine) => {
    const runs = results.filter((r) => r.engine === engine);
    return {
      engine,
      runs: runs.length,
      ticksPerSecond: median(runs.map((r) => r.ticksPerSecond)),
      steadyTicksPerSecond: median(runs.map((r) => r.steadyTicksPerSecond)),
      cpuSecondsPer100k: median(runs.map((r) => r.cpuSecondsPer100k)),
      peakRssTotalMiB: median(runs.map((r) => r.peakRssTotalMiB)),
      // What the engine adds beside the (shared, long-lived) Flink JVMs: the TS worker.
      peakRssOwnMiB: median(runs.map((r) => r.peakRssMiB.worker ?? 0)),
      allCorrect: runs.every((r) => r.correct),
    };
  });
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a !== undefined && b !== undefined && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a';
}

/** The Markdown tables for docs/benchmarks.md. */
export function markdownReport(results: CompareResults): string {
  const lines: string[] = [];
  const summary = summarizeThroughput(results.throughput);
  if (summary.length > 0) {
    lines.push(
      `Throughput over a pre-loaded topic of ${int(results.meta.ticks)} ticks (+6 flush ticks), medians of the runs:`,
      '',
      '| engine | runs | ticks/s (first read → last row visible) | steady ticks/s (10–90 %) | CPU s per 100k ticks | peak RSS MiB (Flink JVMs + worker) | worker RSS MiB | exact results |',
      '| --- | --: | --: | --: | --: | --: | --: | --- |',
    );
    for (const s of summary) {
      lines.push(
        `| ${ENGINE_TITLES[s.engine]} | ${s.runs} | ${int(s.ticksPerSecond)} | ${int(s.steadyTicksPerSecond)} | ${fixed(s.cpuSecondsPer100k)} | ${int(s.peakRssTotalMiB)} | ${s.engine === 'bridge' ? int(s.peakRssOwnMiB) : '–'} | ${s.allCorrect ? 'yes' : 'NO'} |`,
      );
    }
    const by = (e: EngineName) => summary.find((s) => s.engine === e);
    lines.push(
      '',
      `Ratios (ticks/s): ours / PyFlink = ${ratio(by('bridge')?.ticksPerSecond, by('pyflink')?.ticksPerSecond)}, ` +
        `ours / native Java = ${ratio(by('bridge')?.ticksPerSecond, by('java')?.ticksPerSecond)}. ` +
        `CPU per tick: ours / PyFlink = ${ratio(by('bridge')?.cpuSecondsPer100k, by('pyflink')?.cpuSecondsPer100k)}, ` +
        `ours / native Java = ${ratio(by('bridge')?.cpuSecondsPer100k, by('java')?.cpuSecondsPer100k)}.`,
      '',
      'Every run:',
      '',
      '| run | seconds | ticks/s | CPU s (TaskManager / JobManager / worker) | load avg start → end | other jobs on the cluster | disturbed |',
      '| --- | --: | --: | --- | --- | --- | --- |',
    );
    for (const r of results.throughput) {
      const cpu = ['taskmanager', 'jobmanager', 'worker'].map((k) => fixed(r.cpuSeconds[k] ?? 0, 1)).join(' / ');
      lines.push(
        `| ${r.label} | ${fixed(r.seconds, 1)} | ${int(r.ticksPerSecond)} | ${cpu} | ${r.load[0]} → ${r.load[1]} | ${r.otherJobs.length === 0 ? 'none' : r.otherJobs.join(', ')} | ${r.disturbed ? 'yes' : 'no'} |`,
      );
    }
  }
  if (results.latency.length > 0) {
    const rate = results.latency[0]?.rate ?? 0;
    lines.push(
      '',
      `End-to-end latency at ${int(rate)} ticks/s (produce → visible in ClickHouse), medians of the runs' percentiles:`,
      '',
      '| engine | runs | markers | p50 ms | p90 ms | p99 ms | max ms |',
      '| --- | --: | --: | --: | --: | --: | --: |',
    );
    for (const engine of [...new Set(results.latency.map((r) => r.engine))]) {
      const runs = results.latency.filter((r) => r.engine === engine);
      lines.push(
        `| ${ENGINE_TITLES[engine]} | ${runs.length} | ${int(median(runs.map((r) => r.markers)))} | ${int(median(runs.map((r) => r.p50)))} | ${int(median(runs.map((r) => r.p90)))} | ${int(median(runs.map((r) => r.p99)))} | ${int(median(runs.map((r) => r.max)))} |`,
      );
    }
  }
  if (results.sweep.length > 0) {
    lines.push(
      '',
      'Bridge knob sweep (one run per point):',
      '',
      '| batch size | max in flight | worker processes | ticks/s | steady ticks/s | CPU s per 100k | exact |',
      '| --: | --: | --: | --: | --: | --: | --- |',
    );
    for (const r of results.sweep) {
      lines.push(
        `| ${r.knobs.batchSize ?? 500} | ${r.knobs.maxInFlight ?? 4} | ${r.knobs.workerProcesses} | ${int(r.ticksPerSecond)} | ${int(r.steadyTicksPerSecond)} | ${fixed(r.cpuSecondsPer100k)} | ${r.correct ? 'yes' : 'NO'} |`,
      );
    }
  }
  return lines.join('\n');
}
