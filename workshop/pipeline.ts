/**
 * The workshop's pipeline: the stock pipeline, rebuilt step by step with two places where the
 * exercises plug in (module 3: a step on the tick rows; module 4: a second window per symbol).
 * With both exercises untouched its descriptor is exactly the stock pipeline's, so a worker serving
 * this file can replace `npm run worker` under the running job.
 *
 * Every name the stock pipeline uses is kept, so a savepoint of the stock job restores into it.
 */
import { type Config, loadConfig } from '@ticker/common';
import {
  clickhouseTable,
  type DeadLetterRow,
  type KeyedStream,
  kafkaSource,
  kafkaTopic,
  type Pipeline,
  pipeline,
  type Stream,
  tumbling,
} from '../pipeline/src/dsl';
import {
  ALERT_THRESHOLD_PCT,
  type AlertRow,
  CANDLE_WINDOW_MS,
  type CandleRow,
  computeCandle,
  IDLENESS_MS,
  MAX_OUT_OF_ORDERNESS_MS,
  parseTickRecord,
  priceMoveAlerts,
  type TickRow,
  tickToRow,
} from '../pipeline/src/stock';

/** What an exercise set (exercises/ or solutions/) contributes to the pipeline. */
export interface WorkshopSteps {
  /** Module 3: steps between `to-tick-row` and the branch to `write-ticks` / `by-symbol`. */
  addTickSteps(rows: Stream<TickRow>): Stream<TickRow>;
  /** Module 4: more windows (and their sinks) on the ticks keyed by symbol. */
  addSymbolWindows(bySymbol: KeyedStream<TickRow>): void;
}

/** Builds the stock pipeline with the workshop's steps plugged in. */
export function buildWorkshopPipeline(steps: WorkshopSteps, config: Config = loadConfig()): Pipeline {
  const p = pipeline(config.pipeline.name, { parallelism: 2 });

  const parsed = p
    .source(
      kafkaSource({
        name: 'read-ticks',
        topic: config.kafka.ticksTopic,
        startingOffsets: 'earliest',
        watermark: { maxOutOfOrdernessMs: MAX_OUT_OF_ORDERNESS_MS, idlenessMs: IDLENESS_MS },
      }),
    )
    .map('parse-tick', parseTickRecord)
    .map('to-tick-row', tickToRow);
  const rows = steps.addTickSteps(parsed);

  rows.sink('write-ticks', clickhouseTable<TickRow>('ticks'));

  const bySymbol = rows.keyBy('by-symbol', (row) => row.symbol);
  const candles = bySymbol
    .window('candles-1m', tumbling(CANDLE_WINDOW_MS), { allowedLatenessMs: 0 })
    .aggregate(computeCandle);
  steps.addSymbolWindows(bySymbol);

  candles.sink('write-candles', clickhouseTable<CandleRow>('candles_1m'));
  candles
    .flatMap('price-move-alerts', (candle) => priceMoveAlerts(candle, ALERT_THRESHOLD_PCT))
    .sink('write-alerts', clickhouseTable<AlertRow>('alerts'));

  p.deadLetter('dead-letter', [
    clickhouseTable<DeadLetterRow>('rejected'),
    kafkaTopic<DeadLetterRow>(config.kafka.dlqTopic),
  ]);
  return p;
}
