/** Live progress: a bar on a TTY, periodic structured log lines otherwise. */
import type { Logger } from '@ticker/common';
import cliProgress from 'cli-progress';
import type { RunStats } from './run';

export interface ProgressReporter {
  update(stats: RunStats): void;
  stop(): void;
}

export interface ProgressOptions {
  tty: boolean;
  logger: Logger;
  /** Known total (with --count), for the bar. */
  total: number | undefined;
  /** Interval between log lines when not on a TTY. */
  logIntervalMs?: number;
  stream?: NodeJS.WritableStream;
}

/** Picks the bar (TTY) or the log lines (pipes, CI, containers). */
export function createProgressReporter(options: ProgressOptions): ProgressReporter {
  return options.tty ? barReporter(options) : logReporter(options);
}

/** Tracks ticks/s over the interval since the previous sample, not since the start. */
class RateMeter {
  private lastSent = 0;
  private lastAt = performance.now();
  private rate = 0;

  sample(sent: number): number {
    const at = performance.now();
    if (at - this.lastAt >= 500) {
      this.rate = Math.round(((sent - this.lastSent) * 1000) / (at - this.lastAt));
      this.lastSent = sent;
      this.lastAt = at;
    }
    return this.rate;
  }
}

function barReporter(options: ProgressOptions): ProgressReporter {
  const format =
    options.total === undefined
      ? 'sent {value} | {rate} ticks/s | failed {failed} | {duration_formatted}'
      : '[{bar}] {percentage}% | sent {value}/{total} | {rate} ticks/s | failed {failed} | eta {eta_formatted}';
  const bar = new cliProgress.SingleBar(
    { format, stream: options.stream ?? process.stderr, hideCursor: true, fps: 5 },
    cliProgress.Presets.shades_classic,
  );
  const meter = new RateMeter();
  bar.start(options.total ?? 0, 0, { rate: 0, failed: 0 });
  return {
    update(stats) {
      bar.update(stats.sent, { rate: meter.sample(stats.sent), failed: stats.failed });
    },
    stop() {
      bar.stop();
    },
  };
}

function logReporter(options: ProgressOptions): ProgressReporter {
  const meter = new RateMeter();
  let latest: RunStats | undefined;
  const timer = setInterval(() => {
    if (!latest) return;
    options.logger.info(
      { sent: latest.sent, failed: latest.failed, ticksPerSecond: meter.sample(latest.sent), total: options.total },
      'progress',
    );
  }, options.logIntervalMs ?? 5000);
  timer.unref();
  return {
    update(stats) {
      latest = stats;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
