/**
 * The public DSL (`@ticker/pipeline`): what a pipeline module imports to define a typed pipeline. A
 * module's default export is `definePipeline((config) => ...)`; the loader (loader/load.ts) builds and
 * compiles it. Application code imports only this surface.
 */

export {
  type Accumulated,
  type AccumulatorField,
  type AccumulatorKit,
  type AccumulatorSpecInput,
  encodeOrderKey,
  type OrderKey,
  type OrderPart,
} from '../contract/accumulator';
export { formatClickHouseDateTime } from '../contract/deadLetter';
export type { JsonSafe, JsonValue } from '../contract/json';
export type { DeadLetterRow, SourceRecord, WindowInfo } from '../contract/records';
export { isRejected, type Rejected, reject } from '../contract/reject';
export {
  type AccumulatingStream,
  definePipeline,
  KeyedStream,
  type LogicalNode,
  Pipeline,
  type PipelineDefinition,
  PipelineDefinitionError,
  pipeline,
  type StepKind,
  type StepOptions,
  Stream,
  type WindowedStream,
  type WindowOptions,
} from './builder';
export {
  clickhouseTable,
  DEFAULT_MAX_AHEAD_MS,
  dedupeById,
  type EventTimeOptions,
  fieldTime,
  type KafkaSourceSpec,
  kafkaSource,
  kafkaTime,
  kafkaTopic,
  type ResolvedKafkaSource,
  sliding,
  type Target,
  tumbling,
  type WindowSpec,
} from './targets';
