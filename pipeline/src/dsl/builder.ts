/**
 * The typed pipeline builder. A definition is a DAG of named steps; each call returns a new stream
 * handle, so one stream can feed several branches. Nothing runs here: compile() turns the graph
 * into the descriptor (for the bridge) and the runtime (for the worker).
 */
import { NODE_NAME_PATTERN, NODE_NAME_RULE } from '@ticker/common';
import type { SinkTarget } from '../descriptor/schema';
import type { Rejected } from './reject';
import type { ResolvedKafkaSource, Target, WindowSpec } from './targets';
import type { DeadLetterRow, SourceRecord, WindowInfo } from './types';

export type StepKind = 'map' | 'filter' | 'flatMap' | 'keyBy';

/** Per-step options. A different parallelism from the previous step starts a new chain. */
export interface StepOptions {
  parallelism?: number;
}

export interface WindowOptions extends StepOptions {
  /** How long after the watermark passes a window's end late records still update it (default 0). */
  allowedLatenessMs?: number;
  /**
   * The version of the aggregation code. A live reload applies a change to a window's aggregate only
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
  aggregate: (values: unknown[], window: WindowInfo) => unknown;
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

  /** One value in, one value out (or `reject(reason)`). */
  map<O>(name: string, fn: (value: T) => O | Rejected, options: StepOptions = {}): Stream<O> {
    return this.step<O>('map', name, fn, options);
  }

  /** Keeps the values for which fn returns true. */
  filter(name: string, fn: (value: T) => boolean | Rejected, options: StepOptions = {}): Stream<T> {
    return this.step<T>('filter', name, fn, options);
  }

  /** One value in, zero or more out. */
  flatMap<O>(name: string, fn: (value: T) => readonly O[] | Rejected, options: StepOptions = {}): Stream<O> {
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

  /** Event-time windows per key (state lives in Flink); finish with aggregate(). */
  window(name: string, spec: WindowSpec, options: WindowOptions = {}): WindowedStream<T> {
    return new WindowedStream<T>(this.pipeline, this.keyByNode, name, spec, options);
  }
}

/** A windowed keyed stream waiting for its aggregate function. */
export class WindowedStream<T> {
  constructor(
    private readonly pipeline: Pipeline,
    private readonly keyByNode: StepNode,
    private readonly name: string,
    private readonly spec: WindowSpec,
    private readonly options: WindowOptions,
  ) {}

  /** Computes one value from the records of a fired window (called once per key and window). */
  aggregate<O>(fn: (values: T[], window: WindowInfo) => O | Rejected): Stream<O> {
    const { sizeMs } = this.spec;
    if (!Number.isInteger(sizeMs) || sizeMs < 1) {
      throw new PipelineDefinitionError(`window "${this.name}": size must be a positive integer of ms`);
    }
    if (this.spec.type === 'sliding' && (!Number.isInteger(this.spec.slideMs) || this.spec.slideMs < 1)) {
      throw new PipelineDefinitionError(`window "${this.name}": slide must be a positive integer of ms`);
    }
    const allowedLatenessMs = this.options.allowedLatenessMs ?? 0;
    if (!Number.isInteger(allowedLatenessMs) || allowedLatenessMs < 0) {
      throw new PipelineDefinitionError(`window "${this.name}": allowedLatenessMs must be an integer >= 0`);
    }
    const node = this.pipeline.register<WindowNode>({
      kind: 'window',
      name: this.name,
      input: this.keyByNode,
      spec: this.spec,
      allowedLatenessMs,
      aggregate: fn as (values: unknown[], window: WindowInfo) => unknown,
      parallelism: this.options.parallelism,
      version: this.options.version === undefined ? undefined : String(this.options.version),
    });
    return new Stream<O>(this.pipeline, node);
  }
}

/** Starts a pipeline definition. */
export function pipeline(name: string, options: { parallelism?: number; logicVersion?: string } = {}): Pipeline {
  return new Pipeline(name, options.parallelism ?? 1, options.logicVersion);
}
