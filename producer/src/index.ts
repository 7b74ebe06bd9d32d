/** Public API of the producer: the generator (used by the e2e suite), replay, and the send loop. */
export {
  BadInputSchedule,
  DEFAULT_EVENT_RATE,
  DEFAULT_START_TIME_MS,
  type GeneratedRecord,
  type GeneratorOptions,
  gbmStep,
  generateTicks,
  type MalformedRecord,
  roundPrice,
  SECONDS_PER_TRADING_YEAR,
  type TickRecord,
} from './generator';
export { DEFECTS, type Defect, malformedValue, serializeTick } from './malformed';
export { type Compression, KafkaUnavailableError, type PublisherOptions, TickPublisher } from './publisher';
export { ReplayFileError, type ReplayOptions, readReplayFile, replayRecords } from './replay';
export {
  type BatchSender,
  PartialBatchError,
  type RunOptions,
  type RunStats,
  type RunSummary,
  runProducer,
} from './run';
export { DEFAULT_SYMBOL_SPECS, DEFAULT_SYMBOLS, type SymbolSpec, specFor } from './symbols';
