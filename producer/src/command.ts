/**
 * The producer command: options, wiring and exit codes. `cli.ts` runs it on
 * the real process; tests run it with captured output.
 */
import { randomInt } from 'node:crypto';
import { ConfigError, createLogger, loadConfig } from '@ticker/common';
import { Command, CommanderError } from 'commander';
import { type GeneratedRecord, generateTicks } from './generator';
import { LanedPublisher } from './lanes';
import {
  CliUsageError,
  DEFAULT_BATCH_SIZE,
  DEFAULT_RATE,
  DEFAULT_RETRIES,
  type ProducerSettings,
  type RawCliOptions,
  resolveSettings,
} from './options';
import { createProgressReporter } from './progress';
import { KafkaUnavailableError, TickPublisher } from './publisher';
import { MAX_SEED } from './random';
import { ReplayFileError, readReplayFile, replayRecords } from './replay';
import { type BatchSender, type RunSummary, runProducer } from './run';

/** Something that emits SIGINT / SIGTERM. */
export interface SignalSource {
  on(event: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown;
}

/** Where the CLI writes; tests capture these. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  isTty: boolean;
  /** Process signals to stop on (the process, or an EventEmitter in tests). */
  signals: SignalSource;
}

/** Exit codes: 0 done (or stopped by a signal), 1 Kafka failure, 2 bad usage / config / input file. */
export const EXIT = { ok: 0, kafka: 1, usage: 2 } as const;

/** The commander program (no actions): options, defaults shown in --help. */
export function buildProgram(): Command {
  return new Command('produce')
    .description('Generate deterministic stock ticks (or replay a file) and publish them to Kafka, key = symbol.')
    .option(
      '--brokers <list>',
      'Kafka bootstrap brokers, comma-separated host:port (default: KAFKA_BROKERS or localhost:9092)',
    )
    .option('--topic <name>', 'topic to publish to (default: TICKS_TOPIC or stock-ticks)')
    .option('--symbols <list>', 'comma-separated tickers (default: AAPL,MSFT,GOOG,AMZN,TSLA,NVDA,META)')
    .option(
      '--rate <n>',
      `ticks per second of wall clock; 0 or max = as fast as possible (default: ${DEFAULT_RATE}; with --replay --shift-to-now: the file's own pace)`,
    )
    .option('--count <n>', 'stop after n records (valid + malformed)')
    .option('--duration <time>', 'stop after this wall-clock time: 30s, 5m, 1h, 500ms')
    .option(
      '--seed <n>',
      `seed 0..${MAX_SEED}; same seed + options = same ticks (default: random, printed in the summary)`,
    )
    .option('--replay <file>', 'publish the ticks of a .jsonl/.ndjson or .csv file instead of generating')
    .option('--loop', 'with --replay: start over at the end (ids get -r<pass>, times move on)')
    .option('--shift-to-now', 'with --replay: shift event times so the first tick is now, keeping the spacing')
    .option('--bad-ratio <r>', 'fraction 0..1 of deliberately malformed records (default: 0)')
    .option(
      '--start-time <time>',
      'event time of the first tick (ISO-8601 or epoch ms); event time then follows --event-rate, not the wall clock',
    )
    .option(
      '--event-rate <n>',
      'with --start-time: ticks per second of event time (default: --rate, or 1000 with --rate max)',
    )
    .option('--batch-size <n>', `most records per Kafka request (default: ${DEFAULT_BATCH_SIZE})`)
    .option('--compression <codec>', 'none or gzip (default: none)')
    .option(
      '--time-scale <x>',
      'market seconds per event second: 60 makes a demo minute move like an hour of trading (default: 1)',
    )
    .option(
      '--lanes <n>',
      'producer lanes: worker threads, each an idempotent producer for a share of the symbols (default: 1)',
    )
    .option('--retries <n>', `retries with backoff for connecting and for each batch (default: ${DEFAULT_RETRIES})`)
    .showHelpAfterError('(run with --help for usage)');
}

/** Runs the CLI and resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram().exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  try {
    program.parse([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw err;
  }

  let settings: ProducerSettings;
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(io.env);
    settings = resolveSettings(program.opts<RawCliOptions>(), config, () => randomInt(0, MAX_SEED));
  } catch (err) {
    if (err instanceof ConfigError || err instanceof CliUsageError) {
      io.stderr(`error: ${err.message}\n(run with --help for usage)\n`);
      return EXIT.usage;
    }
    throw err;
  }
  const logger = createLogger('producer', config.logLevel);

  let records: Iterable<GeneratedRecord>;
  try {
    records = await recordSource(settings);
  } catch (err) {
    if (err instanceof ReplayFileError || err instanceof RangeError) {
      io.stderr(`error: ${err.message}\n`);
      return EXIT.usage;
    }
    throw err;
  }

  const base = {
    topic: settings.topic,
    brokers: settings.brokers,
    seed: settings.seed,
    source: settings.replay ?? 'generator',
  };
  let publisher: BatchSender & { disconnect(): Promise<void> };
  try {
    const publisherOptions = {
      brokers: settings.brokers,
      topic: settings.topic,
      compression: settings.compression,
      retries: settings.retries,
    };
    publisher =
      settings.lanes > 1
        ? await LanedPublisher.connect(publisherOptions, settings.lanes, config.logLevel)
        : await TickPublisher.connect({ ...publisherOptions, logger });
  } catch (err) {
    if (!(err instanceof KafkaUnavailableError)) throw err;
    io.stderr(`error: ${err.message}\n`);
    io.stdout(
      `${JSON.stringify({ status: 'failed', ...base, generated: 0, sent: 0, failed: 0, error: err.message })}\n`,
    );
    return EXIT.kafka;
  }

  const stop = new AbortController();
  let signalsSeen = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signalsSeen++;
    if (signalsSeen > 1) {
      io.stderr(`\n${signal} again: exiting without waiting for in-flight batches\n`);
      process.exit(130);
    }
    logger.info({ signal }, 'stopping: flushing in-flight batches');
    stop.abort();
  };
  io.signals.on('SIGINT', onSignal);
  io.signals.on('SIGTERM', onSignal);

  const progress = createProgressReporter({ tty: io.isTty, logger, total: settings.count });
  let summary: RunSummary;
  try {
    summary = await runProducer({
      records,
      sender: publisher,
      rate: settings.rate,
      pacing: settings.pacing,
      batchSize: settings.batchSize,
      durationMs: settings.durationMs,
      signal: stop.signal,
      onProgress: (stats) => progress.update(stats),
    });
  } finally {
    progress.stop();
    io.signals.off('SIGINT', onSignal);
    io.signals.off('SIGTERM', onSignal);
    await publisher.disconnect();
  }
  if (summary.error !== undefined) io.stderr(`error: ${summary.error}\n`);
  io.stdout(`${JSON.stringify({ ...base, ...summary, ...timeRange(summary) })}\n`);
  return summary.status === 'failed' ? EXIT.kafka : EXIT.ok;
}

/** The records to publish: a replayed file or the generator. */
async function recordSource(settings: ProducerSettings): Promise<Iterable<GeneratedRecord>> {
  if (settings.replay !== undefined) {
    const ticks = await readReplayFile(settings.replay);
    return replayRecords(ticks, {
      loop: settings.loop,
      shiftToMs: settings.shiftToNow ? Date.now() : undefined,
      count: settings.count,
      badRatio: settings.badRatio,
      seed: settings.seed,
    });
  }
  const time = settings.eventTime;
  return generateTicks({
    seed: settings.seed,
    symbols: settings.symbols,
    count: settings.count,
    badRatio: settings.badRatio,
    timeScale: settings.timeScale,
    ...(time.kind === 'scheduled'
      ? { startTimeMs: time.startTimeMs, eventRate: time.eventRate }
      : { clock: () => Date.now() }),
  });
}

function timeRange(summary: RunSummary): { firstTs?: string; lastTs?: string } {
  if (summary.firstTimestampMs === undefined || summary.lastTimestampMs === undefined) return {};
  return {
    firstTs: new Date(summary.firstTimestampMs).toISOString(),
    lastTs: new Date(summary.lastTimestampMs).toISOString(),
  };
}
