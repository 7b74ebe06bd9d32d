/**
 * The stock pipeline: raw ticks -> validated `ticks` rows; per symbol 1-minute candles; price-move
 * alerts from the candles; anything invalid -> dead letter (`dead_letters` table, copied into `rejected`, + DLQ topic).
 *
 *   read-ticks ─▶ [parse-tick ▸ to-tick-row ▸ by-symbol] ─┬─▶ write-ticks (ticks)
 *                                                         └─▶ candles-1m ─┬─▶ write-candles (candles_1m)
 *                                                                         └─▶ [price-move-alerts] ─▶ write-alerts (alerts)
 *
 * [ ] = one worker chain, one gRPC call per batch. The by-symbol keyBy joins the parse chain because
 * its only sibling is a ClickHouse sink (the fusion rule in ../compiler/compile.ts).
 *
 * `npm run describe` prints its descriptor; `npm run worker` serves it (both build it from the config).
 */
import type { Config } from '@ticker/common';
import {
  clickhouseTable,
  type DeadLetterRow,
  dedupeById,
  definePipeline,
  fieldTime,
  type KeyedStream,
  kafkaSource,
  kafkaTopic,
  type Pipeline,
  pipeline,
  type Stream,
  tumbling,
} from '@ticker/pipeline';
import { candleFields, candleOrder, finishCandle, parseTickRecord, priceMoveAlerts, tickToRow } from './logic';
import type { AlertRow, CandleRow, TickRow } from './rows';

/**
 * Alert threshold: a one-minute candle whose close is at least this many percent away from its open.
 * The demo producer moves prices by geometric Brownian motion in market time; one minute's move has a
 * standard deviation of about 0.07% (MSFT, sigma 0.22) to 0.19% (TSLA, sigma 0.6). At 0.2% the seven
 * default symbols raise about one alert every one to two minutes, mostly TSLA and NVDA: visible in the
 * demo without flooding the table.
 */
export const ALERT_THRESHOLD_PCT = 0.2;

/** Candle window size. */
export const CANDLE_WINDOW_MS = 60_000;

/** Watermark: ticks of one partition may arrive up to this much out of event-time order. */
export const MAX_OUT_OF_ORDERNESS_MS = 2_000;

/**
 * A partition silent this long stops holding back the watermark (so an empty partition cannot stall
 * the candles). Long on purpose: when every partition has gone idle (a producer pause, a broker
 * restart) and data resumes, the first partition read pushes the watermark ahead and the others'
 * ticks would be late; a minute covers ordinary pauses and restarts.
 */
export const IDLENESS_MS = 60_000;

/**
 * A tick whose `ts` is more than this far ahead of the clock is a dead letter (and never moves the
 * watermark): a minute covers producer clock skew; a tick dated tomorrow would otherwise hold every
 * candle of today back as late.
 */
export const MAX_AHEAD_MS = 60_000;

/**
 * A tick whose id was already read within this horizon (processing time) is dropped before parsing,
 * so it counts once in ticks, candles and alerts. Producers retry within seconds; ten minutes covers
 * a broker restart. State cost: one entry per distinct id in the horizon (docs/pipeline.md).
 */
export const DEDUPE_HORIZON_MS = 10 * 60_000;

/** Where more logic plugs into the stock pipeline without changing any of its own node names. */
export interface StockPipelineExtensions {
  /** Steps between `to-tick-row` and the branch to `write-ticks` / `by-symbol` (workshop module 3). */
  addTickSteps(rows: Stream<TickRow>): Stream<TickRow>;
  /** More windows (and their sinks) on the ticks keyed by symbol (workshop module 4). */
  addSymbolWindows(bySymbol: KeyedStream<TickRow>): void;
}

export interface StockPipelineOptions {
  alertThresholdPct?: number;
  parallelism?: number;
  extensions?: StockPipelineExtensions;
}

/** Builds the stock pipeline with its name and topic names from the config (defaults: stock-ticks, stock-ticks-dlq). */
export function buildStockPipeline(config: Config, options: StockPipelineOptions = {}): Pipeline {
  const thresholdPct = options.alertThresholdPct ?? ALERT_THRESHOLD_PCT;
  const p = pipeline(config.pipeline.name, { parallelism: options.parallelism ?? 2 });

  const parsed = p
    .source(
      kafkaSource({
        name: 'read-ticks',
        topic: config.kafka.ticksTopic,
        startingOffsets: 'earliest',
        watermark: { maxOutOfOrdernessMs: MAX_OUT_OF_ORDERNESS_MS, idlenessMs: IDLENESS_MS },
        // Event time is the tick's own ts, whichever Kafka client wrote it (most stamp the send time).
        eventTime: fieldTime('ts', 'iso-8601', { maxAheadMs: MAX_AHEAD_MS }),
        dedupe: dedupeById('id', DEDUPE_HORIZON_MS),
      }),
    )
    .map('parse-tick', parseTickRecord)
    .map('to-tick-row', tickToRow);
  const rows = options.extensions?.addTickSteps(parsed) ?? parsed;

  rows.sink('write-ticks', clickhouseTable<TickRow>('ticks'));

  const bySymbol = rows.keyBy('by-symbol', (row) => row.symbol);
  const candles = bySymbol
    .window('candles-1m', tumbling(CANDLE_WINDOW_MS), { allowedLatenessMs: 0 })
    .accumulate({ order: candleOrder, fields: candleFields })
    .finish(finishCandle);
  options.extensions?.addSymbolWindows(bySymbol);

  candles.sink('write-candles', clickhouseTable<CandleRow>('candles_1m'));
  candles
    .flatMap('price-move-alerts', (candle) => priceMoveAlerts(candle, thresholdPct))
    .sink('write-alerts', clickhouseTable<AlertRow>('alerts'));

  p.deadLetter('dead-letter', [
    clickhouseTable<DeadLetterRow>('dead_letters'),
    kafkaTopic<DeadLetterRow>(config.kafka.dlqTopic),
  ]);
  return p;
}

/** The module's pipeline: the loader calls it with the config (importing this file builds nothing). */
export default definePipeline((config) => buildStockPipeline(config));
