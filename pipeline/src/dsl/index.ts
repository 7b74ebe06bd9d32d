/** The pipeline DSL: build a typed definition, then compile it to a descriptor and a worker runtime. */

export { type CompiledPipeline, compile, descriptorText } from '../compiler/compile';
export {
  type Accumulated,
  type AccumulatorField,
  type AccumulatorKit,
  type AccumulatorSpecInput,
  encodeOrderKey,
  type OrderKey,
  type OrderPart,
} from '../contract/accumulator';
export type { DeadLetterRow, SourceRecord, WindowInfo } from '../contract/records';
export { isRejected, type Rejected, reject } from '../contract/reject';
export {
  type AccumulatingStream,
  KeyedStream,
  type LogicalNode,
  Pipeline,
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
