/** Throughput and latency counters of one worker process; logged periodically, read by tests. */

/** `process`: chain calls; `window`: finish and late-record calls of window nodes. */
export type WorkerMethod = 'process' | 'window';

export interface MethodCounters {
  calls: number;
  records: number;
  outputs: number;
  rejections: number;
  /** Calls answered with an error status (unknown node, internal error). */
  errors: number;
  /** Sum and max of handler time per call, milliseconds. */
  latencyMsTotal: number;
  latencyMsMax: number;
}

export type StatsSnapshot = Record<WorkerMethod, MethodCounters>;

function emptyCounters(): MethodCounters {
  return { calls: 0, records: 0, outputs: 0, rejections: 0, errors: 0, latencyMsTotal: 0, latencyMsMax: 0 };
}

/** Counters since start (snapshot) and since the last report (for the periodic log line). */
export class WorkerStats {
  private total: StatsSnapshot = { process: emptyCounters(), window: emptyCounters() };
  private interval: StatsSnapshot = { process: emptyCounters(), window: emptyCounters() };
  private intervalStart = performance.now();

  /** Records one answered call. */
  recordCall(method: WorkerMethod, records: number, outputs: number, rejections: number, latencyMs: number): void {
    for (const c of [this.total[method], this.interval[method]]) {
      c.calls += 1;
      c.records += records;
      c.outputs += outputs;
      c.rejections += rejections;
      c.latencyMsTotal += latencyMs;
      if (latencyMs > c.latencyMsMax) c.latencyMsMax = latencyMs;
    }
  }

  /** Records one call that ended in an error status. */
  recordError(method: WorkerMethod): void {
    this.total[method].errors += 1;
    this.interval[method].errors += 1;
  }

  /** Totals since the worker started. */
  snapshot(): StatsSnapshot {
    return { process: { ...this.total.process }, window: { ...this.total.window } };
  }

  /** The period's figures for the log line (undefined when there was no traffic), then starts a new period. */
  takeReport(): Record<string, number> | undefined {
    const now = performance.now();
    const seconds = (now - this.intervalStart) / 1000;
    const { process: p, window: a } = this.interval;
    this.interval = { process: emptyCounters(), window: emptyCounters() };
    this.intervalStart = now;
    if (p.calls + a.calls + p.errors + a.errors === 0) return undefined;
    const round = (n: number) => Math.round(n * 100) / 100;
    return {
      seconds: round(seconds),
      recordsPerSec: Math.round((p.records + a.records) / seconds),
      processCalls: p.calls,
      processRecords: p.records,
      processRejections: p.rejections,
      processBatchMsAvg: p.calls ? round(p.latencyMsTotal / p.calls) : 0,
      processBatchMsMax: round(p.latencyMsMax),
      windowCalls: a.calls,
      windowRecords: a.records,
      windowRejections: a.rejections,
      windowMsAvg: a.calls ? round(a.latencyMsTotal / a.calls) : 0,
      errors: p.errors + a.errors,
    };
  }
}
