/**
 * The typed pipeline builder. A definition is a DAG of named steps; each call returns a new stream
 * handle, so one stream can feed several branches. Nothing runs here: compile() turns the graph
 * into the descriptor (for the bridge) and the runtime (for the worker).
 */
import { type Config, NODE_NAME_PATTERN, NODE_NAME_RULE } from '@ticker/common';
import {
  type Accumulated,
  type AccumulatorDefinition,
  type AccumulatorField,
  type AccumulatorSpecInput,
  accumulatorKit,
  isNumericOp,
  type OrderKey,
} from '../contract/accumulator';
import type { JsonSafe } from '../contract/json';
import type { DeadLetterRow, SourceRecord, WindowInfo } from '../contract/records';
import type { Rejected } from '../contract/reject';
import { ACCUMULATOR_FIELD_NAME, type SinkTarget, type StepKind } from '../descriptor/schema';
import type { ResolvedKafkaSource, Target, WindowSpec } from './targets';

export type { StepKind };

/** Per-step options. A different parallelism from the previous step starts a new chain. */
export interface StepOptions {
  parallelism?: number;
}

export interface WindowOptions extends StepOptions {
  /** How long after the watermark passes a window's end late records still update it (default 0). */
  allowedLatenessMs?: number;
  /**
   * The version of the aggregation code (accumulator extractors, ordering key, finish). A live reload
   * applies a change to it only
   * when the window declares a version and keeps it (the developer's word that results and state stay
   * compatible); a changed version, or changed code without a declared version, needs a redeploy.
   */
  version?: string | number;
}

export interface SourceNode {
  kind: 'source';
  name: string;
  spec: ResolvedKafkaSource;
}

export interface StepNode {
  kind: 'step';
  name: string;
  step: StepKind;
  /** The user function, erased to unknown: the typed API below guarantees what flows in and out. */
  fn: (value: unknown) => unknown;
  input: LogicalNode;
  parallelism: number | undefined;
}

export interface WindowNode {
  kind: 'window';
  name: string;
  /** The keyBy step whose key the window groups by. */
  input: StepNode;
  spec: WindowSpec;
  allowedLatenessMs: number;
  accumulator: AccumulatorDefinition;
  /** Turns a fired window's accumulated fields into the output. */
  finish: (accumulated: Record<string, unknown>, window: WindowInfo) => unknown;
  parallelism: number | undefined;
  /** Declared version of the aggregation code (WindowOptions.version), as text. */
  version: string | undefined;
}

export interface SinkNode {
  kind: 'sink';
  name: string;
  input: LogicalNode;
  target: SinkTarget;
  parallelism: number | undefined;
}

export type LogicalNode = SourceNode | StepNode | WindowNode | SinkNode;

/** A definition error (bad or duplicate name, missing source or dead-letter route, bad option). */
export class PipelineDefinitionError extends Error {
  override readonly name = 'PipelineDefinitionError';
}

/** A pipeline under construction: the named graph of steps plus its dead-letter route. */
export class Pipeline {
  readonly nodes: LogicalNode[] = [];
  private readonly names = new Set<string>();
  private sourceNode: SourceNode | undefined;
  private deadLetterRoute: { name: string; targets: SinkTarget[] } | undefined;

  constructor(
    readonly name: string,
    /** Default parallelism of every node (the bridge's --parallelism overrides it). */
    readonly parallelism: number,
    /** The declared version of the logic, stamped on every sink row (else the worker hashes the module files). */
    readonly logicVersion?: string,
  ) {
    checkName(name, 'pipeline name');
    checkParallelism(parallelism, `pipeline "${name}"`);
    if (logicVersion !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._:+-]{0,63}$/.test(logicVersion)) {
      throw new PipelineDefinitionError(
        `logicVersion of pipeline "${name}" must be 1-64 characters of letters, digits and . _ : + -, got ${JSON.stringify(logicVersion)}`,
      );
    }
  }

  /** The pipeline's one source; its stream carries the raw Kafka records. */
  source(spec: ResolvedKafkaSource): Stream<SourceRecord> {
    if (this.sourceNode) throw new PipelineDefinitionError(`pipeline "${this.name}" already has a source`);
    const node: SourceNode = { kind: 'source', name: spec.name, spec };
    this.register(node);
    this.sourceNode = node;
    return new Stream<SourceRecord>(this, node);
  }

  /** Where records any step rejects go (every target gets every dead-letter row). */
  deadLetter(name: string, targets: readonly Target<DeadLetterRow>[]): this {
    if (this.deadLetterRoute)
      throw new PipelineDefinitionError(`pipeline "${this.name}" already has a dead-letter route`);
    if (targets.length === 0)
      throw new PipelineDefinitionError(`dead-letter route "${name}" needs at least one target`);
    checkName(name, 'dead-letter route name');
    this.claim(name);
    this.deadLetterRoute = { name, targets: targets.map((t) => t.target) };
    return this;
  }

  get sourceSpec(): SourceNode | undefined {
    return this.sourceNode;
  }

  get deadLetterSpec(): { name: string; targets: SinkTarget[] } | undefined {
    return this.deadLetterRoute;
  }

  /** Adds a node after checking its name; used by the stream handles. */
  register<N extends LogicalNode>(node: N): N {
    checkName(node.name, `${node.kind} name`);
    if (node.kind !== 'source' && node.parallelism !== undefined) checkParallelism(node.parallelism, node.name);
    this.claim(node.name);
    this.nodes.push(node);
    return node;
  }

  private claim(name: string): void {
    if (this.names.has(name)) {
      throw new PipelineDefinitionError(
        `step name "${name}" is used twice in pipeline "${this.name}"; names must be unique`,
      );
    }
    this.names.add(name);
  }
}

function checkName(name: string, what: string): void {
  // Names key Flink operator state and appear in dead letters.
  if (typeof name !== 'string' || !NODE_NAME_PATTERN.test(name)) {
    throw new PipelineDefinitionError(`${what} "${String(name)}" is not ${NODE_NAME_RULE}`);
  }
}

function checkParallelism(value: number, where: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new PipelineDefinitionError(`parallelism of ${where} must be a positive integer, got ${value}`);
  }
}

/** A stream of values of type T. Each method adds a named step and returns the downstream stream. */
export class Stream<T> {
  constructor(
    protected readonly pipeline: Pipeline,
    /** The node producing this stream's values. */
    readonly node: LogicalNode,
  ) {}

  /** One value in, one value out (or `reject(reason)`); the output must be JSON-safe (dsl/json.ts). */
  map<O extends JsonSafe<O>>(name: string, fn: (value: T) => O | Rejected, options: StepOptions = {}): Stream<O> {
    return this.step<O>('map', name, fn, options);
  }

  /** Keeps the values for which fn returns true. */
  filter(name: string, fn: (value: T) => boolean | Rejected, options: StepOptions = {}): Stream<T> {
    return this.step<T>('filter', name, fn, options);
  }

  /** One value in, zero or more out, each JSON-safe. */
  flatMap<O extends JsonSafe<O>>(
    name: string,
    fn: (value: T) => readonly O[] | Rejected,
    options: StepOptions = {},
  ): Stream<O> {
    return this.step<O>('flatMap', name, fn, options);
  }

  /** Partitions by a string key; a keyed stream can only be windowed. */
  keyBy(name: string, fn: (value: T) => string, options: StepOptions = {}): KeyedStream<T> {
    const node = this.addStep('keyBy', name, fn, options);
    return new KeyedStream<T>(this.pipeline, node);
  }

  /** Writes every value to a target (a ClickHouse table row or a Kafka record). */
  sink(name: string, target: Target<T>, options: StepOptions = {}): void {
    if (this.node.kind === 'source') {
      throw new PipelineDefinitionError(
        `sink "${name}" reads the source directly; parse the raw records with a step first`,
      );
    }
    this.pipeline.register<SinkNode>({
      kind: 'sink',
      name,
      input: this.node,
      target: target.target,
      parallelism: options.parallelism,
    });
  }

  private step<O>(kind: StepKind, name: string, fn: (value: T) => unknown, options: StepOptions): Stream<O> {
    return new Stream<O>(this.pipeline, this.addStep(kind, name, fn, options));
  }

  private addStep(kind: StepKind, name: string, fn: (value: T) => unknown, options: StepOptions): StepNode {
    if (typeof fn !== 'function') throw new PipelineDefinitionError(`step "${name}" needs a function`);
    return this.pipeline.register<StepNode>({
      kind: 'step',
      name,
      step: kind,
      fn: fn as (value: unknown) => unknown,
      input: this.node,
      parallelism: options.parallelism,
    });
  }
}

/** A stream partitioned by key; window it to aggregate per key. */
export class KeyedStream<T> {
  constructor(
    private readonly pipeline: Pipeline,
    private readonly keyByNode: StepNode,
  ) {}

  /** Event-time windows per key (state lives in Flink); then accumulate() and finish(). */
  window(name: string, spec: WindowSpec, options: WindowOptions = {}): WindowedStream<T> {
    return new WindowedStream<T>(this.pipeline, this.keyByNode, name, spec, options);
  }
}

/** A windowed keyed stream waiting for its accumulator spec. */
export class WindowedStream<T> {
  constructor(
    private readonly pipeline: Pipeline,
    private readonly keyByNode: StepNode,
    private readonly name: string,
    private readonly spec: WindowSpec,
    private readonly options: WindowOptions,
  ) {}

  /**
   * Declares what the window accumulates per record (sum, count, min, max, first/last by `order`).
   * Flink merges the accumulators, so a window's state is one accumulator however many records it has.
   */
  accumulate<F extends Record<string, AccumulatorField<T, unknown>>>(
    spec: AccumulatorSpecInput<T, F>,
  ): AccumulatingStream<Accumulated<F>> {
    const where = `window "${this.name}"`;
    const { sizeMs } = this.spec;
    if (!Number.isInteger(sizeMs) || sizeMs < 1) {
      throw new PipelineDefinitionError(`${where}: size must be a positive integer of ms`);
    }
    if (this.spec.type === 'sliding' && (!Number.isInteger(this.spec.slideMs) || this.spec.slideMs < 1)) {
      throw new PipelineDefinitionError(`${where}: slide must be a positive integer of ms`);
    }
    const allowedLatenessMs = this.options.allowedLatenessMs ?? 0;
    if (!Number.isInteger(allowedLatenessMs) || allowedLatenessMs < 0) {
      throw new PipelineDefinitionError(`${where}: allowedLatenessMs must be an integer >= 0`);
    }
    if (typeof spec?.fields !== 'function') {
      throw new PipelineDefinitionError(`${where}: accumulate() needs fields: (f) => ({ name: f.sum(...), ... })`);
    }
    const fields = Object.entries(spec.fields(accumulatorKit<T>())).map(([name, field]) => {
      if (!ACCUMULATOR_FIELD_NAME.test(name)) {
        throw new PipelineDefinitionError(`${where}: accumulator field name "${name}" is not an identifier`);
      }
      if (!field || typeof field.op !== 'string') {
        throw new PipelineDefinitionError(
          `${where}: accumulator field "${name}" is not made with the kit (f.sum, ...)`,
        );
      }
      return { name, op: field.op, of: field.of as ((record: unknown) => unknown) | undefined };
    });
    if (fields.length === 0) throw new PipelineDefinitionError(`${where}: an accumulator needs at least one field`);
    const ordered = fields.filter((f) => !isNumericOp(f.op));
    if (ordered.length > 0 && typeof spec.order !== 'function') {
      throw new PipelineDefinitionError(
        `${where}: first/last fields (${ordered.map((f) => f.name).join(', ')}) need an ordering key: order: (record) => [...]`,
      );
    }
    const accumulator: AccumulatorDefinition = {
      order: spec.order as ((record: unknown) => OrderKey) | undefined,
      fields,
    };
    return new AccumulatingStream<Accumulated<F>>(this.pipeline, (finish) =>
      this.pipeline.register<WindowNode>({
        kind: 'window',
        name: this.name,
        input: this.keyByNode,
        spec: this.spec,
        allowedLatenessMs,
        accumulator,
        finish,
        parallelism: this.options.parallelism,
        version: this.options.version === undefined ? undefined : String(this.options.version),
      }),
    );
  }
}

/** A window with its accumulator spec, waiting for the finish step. */
export class AccumulatingStream<A> {
  constructor(
    private readonly pipeline: Pipeline,
    private readonly register: (
      finish: (accumulated: Record<string, unknown>, window: WindowInfo) => unknown,
    ) => WindowNode,
  ) {}

  /**
   * Turns a fired window's accumulator into its output (called once per key and window firing, in
   * one batched worker call per set of fired windows). The output must be JSON-safe (dsl/json.ts).
   */
  finish<O extends JsonSafe<O>>(fn: (accumulated: A, window: WindowInfo) => O | Rejected): Stream<O> {
    if (typeof fn !== 'function') throw new PipelineDefinitionError('finish() needs a function');
    const node = this.register(fn as (accumulated: Record<string, unknown>, window: WindowInfo) => unknown);
    return new Stream<O>(this.pipeline, node);
  }
}
/** Starts a pipeline definition. */
export function pipeline(name: string, options: { parallelism?: number; logicVersion?: string } = {}): Pipeline {
  return new Pipeline(name, options.parallelism ?? 1, options.logicVersion);
}

/**
 * What a pipeline module exports as its default: the pipeline built from the config. The loader
 * (`describe`, `worker`) reads the config and calls it, so importing the module runs nothing.
 */
export type PipelineDefinition = (config: Config) => Pipeline;

/** Types a pipeline module's default export: `export default definePipeline((config) => pipeline(...)...)`. */
export function definePipeline(build: PipelineDefinition): PipelineDefinition {
  return build;
}
