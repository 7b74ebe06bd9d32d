/**
 * Compiles a pipeline definition into (a) the descriptor the bridge composes the Flink job from and
 * (b) the runtime the worker executes for each chain and window node. A keyed chain also runs the
 * one-record accumulators of the windows that read it (so a record crosses gRPC once on its way to a
 * window); the window's finish step runs when it fires.
 *
 * Fusion rule: consecutive stateless steps (map, filter, flatMap, keyBy) run as ONE chain node, i.e.
 * one worker call per batch. A chain is cut after a keyBy (the window follows), at a window, at a
 * branch point (a stream with several consumers), at a parallelism change and before a sink. A chain
 * is named after its first step, so appending steps keeps the name (and the Flink operator uid) stable.
 *
 * One exception to "cut at a branch point": a keyBy whose only siblings are ClickHouse sinks joins the
 * chain before it, so each record crosses the gRPC boundary once rather than twice (the stock
 * pipeline's `by-symbol` beside `write-ticks`; see docs/benchmarks.md). The siblings cannot tell: a
 * ClickHouse row is the record's value, and the key is all a keyBy changes. The cost: a record whose
 * key function fails is rejected whole, so those siblings do not get it either.
 */
import { createHash } from 'node:crypto';
import { DESCRIPTOR_VERSION, type Descriptor, type DescriptorNode, descriptorSchema } from '../descriptor/schema';
import { type LogicalNode, type Pipeline, PipelineDefinitionError, type StepNode } from '../dsl/builder';
import { type AccumulatorRuntime, accumulatorRuntime } from '../runtime/accumulator';
import type { ChainRuntime, RuntimeStep } from '../runtime/chain';
import type { WindowRuntime } from '../runtime/window';

/** Everything the describe command and the worker need from one definition. */
export interface CompiledPipeline {
  descriptor: Descriptor;
  /** The exact descriptor text: `pipeline describe` prints it and Describe returns it. */
  descriptorJson: string;
  /** SHA-256 (hex) of descriptorJson's UTF-8 bytes. */
  descriptorSha256: string;
  chains: ReadonlyMap<string, ChainRuntime>;
  windows: ReadonlyMap<string, WindowRuntime>;
  /** The logic version stamped on every sink row (`logic_version`); undefined = none known, no stamp. */
  logicVersion: string | undefined;
  /** Each window's declared version and a hash of its aggregate's source (the live-reload check). */
  windowCode: WindowCode[];
}

/** What a live reload compares of a window's code (the descriptor holds the rest). */
export interface WindowCode {
  name: string;
  version: string | undefined;
  /** SHA-256 of the aggregate function's source text. */
  codeSha256: string;
}

export interface CompileOptions {
  /** The logic version when the pipeline declares none (the worker passes a hash of the module files). */
  logicVersion?: string;
  /**
   * 'none' puts every step in a chain of its own (tests use it to show fusion changes no output:
   * pipeline/test/fusionInvariance.test.ts); default 'chains', the fusion rule above.
   */
  fusion?: 'chains' | 'none';
}

interface ChainBuild {
  name: string;
  input: string;
  steps: StepNode[];
  parallelism: number | undefined;
  fromSource: boolean;
}

/** The canonical descriptor text: 2-space JSON plus a final newline. */
export function descriptorText(descriptor: Descriptor): string {
  return `${JSON.stringify(descriptor, null, 2)}\n`;
}

/** Compiles the definition; throws PipelineDefinitionError when it is incomplete or inconsistent. */
export function compile(p: Pipeline, options: CompileOptions = {}): CompiledPipeline {
  const source = p.sourceSpec;
  if (!source) throw new PipelineDefinitionError(`pipeline "${p.name}" has no source`);
  const deadLetter = p.deadLetterSpec;
  if (!deadLetter)
    throw new PipelineDefinitionError(`pipeline "${p.name}" has no dead-letter route (call .deadLetter())`);

  const consumers = new Map<LogicalNode, number>();
  for (const node of p.nodes) {
    if (node.kind !== 'source') consumers.set(node.input, (consumers.get(node.input) ?? 0) + 1);
  }
  for (const node of p.nodes) {
    if (node.kind === 'step' && node.step === 'keyBy') {
      const uses = p.nodes.filter((n) => n.kind !== 'source' && n.input === node);
      if (uses.length === 0 || uses.some((n) => n.kind !== 'window')) {
        throw new PipelineDefinitionError(`keyBy "${node.name}" must be followed by a window`);
      }
    } else if (node.kind !== 'sink' && !consumers.has(node)) {
      throw new PipelineDefinitionError(`${node.kind} "${node.name}" goes nowhere: add a step or a sink after it`);
    }
  }

  // The physical node (chain, window or source) that produces each logical node's output.
  const producer = new Map<LogicalNode, string>();
  const chainOf = new Map<StepNode, ChainBuild>();
  const ordered: (ChainBuild | DescriptorNode)[] = [];

  for (const node of p.nodes) {
    switch (node.kind) {
      case 'source':
        producer.set(node, node.name);
        break;
      case 'step': {
        const upstream = node.input;
        const previous = upstream.kind === 'step' ? chainOf.get(upstream) : undefined;
        const fuse =
          options.fusion !== 'none' &&
          previous !== undefined &&
          upstream.kind === 'step' &&
          upstream.step !== 'keyBy' &&
          upstream.parallelism === node.parallelism &&
          (consumers.get(upstream) === 1 || (node.step === 'keyBy' && siblingsIgnoreKey(p, node)));
        if (fuse && previous) {
          previous.steps.push(node);
          chainOf.set(node, previous);
          producer.set(node, previous.name);
        } else {
          const chain: ChainBuild = {
            name: node.name,
            input: producerOf(producer, upstream),
            steps: [node],
            parallelism: node.parallelism,
            fromSource: upstream.kind === 'source',
          };
          chainOf.set(node, chain);
          producer.set(node, chain.name);
          ordered.push(chain);
        }
        break;
      }
      case 'window': {
        const windowNode: DescriptorNode = {
          kind: 'window',
          name: node.name,
          input: producerOf(producer, node.input),
          window: node.spec,
          allowedLatenessMs: node.allowedLatenessMs,
          accumulator: {
            ordered: node.accumulator.order !== undefined,
            fields: node.accumulator.fields.map((f) => ({ name: f.name, op: f.op })),
          },
          ...(node.parallelism !== undefined ? { parallelism: node.parallelism } : {}),
        };
        producer.set(node, node.name);
        ordered.push(windowNode);
        break;
      }
      case 'sink':
        ordered.push({
          kind: 'sink',
          name: node.name,
          input: producerOf(producer, node.input),
          target: node.target,
          ...(node.parallelism !== undefined ? { parallelism: node.parallelism } : {}),
        });
        break;
    }
  }

  const nodes: DescriptorNode[] = ordered.map((n) =>
    'steps' in n && !('kind' in n)
      ? {
          kind: 'chain',
          name: n.name,
          input: n.input,
          steps: n.steps.map((s) => ({ name: s.name, kind: s.step })),
          keyed: n.steps[n.steps.length - 1]!.step === 'keyBy',
          ...(n.parallelism !== undefined ? { parallelism: n.parallelism } : {}),
        }
      : (n as DescriptorNode),
  );

  const candidate = {
    version: DESCRIPTOR_VERSION,
    name: p.name,
    source: {
      kind: 'source',
      name: source.name,
      type: 'kafka',
      topic: source.spec.topic,
      startingOffsets: source.spec.startingOffsets,
      watermark: {
        maxOutOfOrdernessMs: source.spec.watermark.maxOutOfOrdernessMs,
        idlenessMs: source.spec.watermark.idlenessMs,
      },
      eventTime: source.spec.eventTime,
      ...(source.spec.dedupe !== undefined ? { dedupe: source.spec.dedupe } : {}),
    },
    nodes,
    deadLetter: { name: deadLetter.name, targets: deadLetter.targets },
    parallelism: p.parallelism,
  };
  const parsed = descriptorSchema.safeParse(candidate);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'descriptor'}: ${i.message}`).join('; ');
    throw new PipelineDefinitionError(`pipeline "${p.name}" does not make a valid descriptor: ${problems}`);
  }
  const descriptor = parsed.data;
  const descriptorJson = descriptorText(descriptor);

  // Outputs bound for a sink carry the logic version that made them (their consumers ignore the field).
  const logicVersion = p.logicVersion ?? options.logicVersion;
  const feedsSink = new Set(nodes.filter((n) => n.kind === 'sink').map((n) => n.input));
  const stampFor = (name: string) => (logicVersion !== undefined && feedsSink.has(name) ? { logicVersion } : {});
  // A node reading stamped outputs removes the stamp, so fusion (which decides who stamps) never shows.
  const unstampFor = (input: string) =>
    logicVersion !== undefined && feedsSink.has(input) ? { stampedInput: true } : {};
  const chains = new Map<string, ChainRuntime>();
  const windows = new Map<string, WindowRuntime>();
  const windowCode: WindowCode[] = [];
  // Per chain, the accumulators of the windows reading it, in descriptor order (the bridge's order too).
  const accumulatorsOf = new Map<string, AccumulatorRuntime[]>();
  for (const node of p.nodes) {
    if (node.kind !== 'window') continue;
    const accumulator = accumulatorRuntime(node.name, node.accumulator);
    const chain = producerOf(producer, node.input);
    windows.set(node.name, {
      name: node.name,
      accumulator,
      finish: node.finish,
      ...stampFor(node.name),
      ...unstampFor(chain),
    });
    accumulatorsOf.set(chain, [...(accumulatorsOf.get(chain) ?? []), accumulator]);
    // The window's code: its extractors, its ordering key and its finish step (the spec itself is
    // in the descriptor, compared on its own).
    const code = [node.accumulator.order, ...node.accumulator.fields.map((f) => f.of), node.finish].map((fn) =>
      fn === undefined ? '-' : fn.toString(),
    );
    const codeSha256 = createHash('sha256').update(code.join('\n\0'), 'utf8').digest('hex');
    windowCode.push({ name: node.name, version: node.version, codeSha256 });
  }
  for (const n of ordered) {
    if ('fromSource' in n) {
      const steps: RuntimeStep[] = n.steps.map((s) => ({ name: s.name, kind: s.step, fn: s.fn }));
      chains.set(n.name, {
        name: n.name,
        steps,
        fromSource: n.fromSource,
        accumulators: accumulatorsOf.get(n.name) ?? [],
        ...stampFor(n.name),
        ...unstampFor(n.input),
      });
    }
  }

  return {
    descriptor,
    descriptorJson,
    descriptorSha256: createHash('sha256').update(descriptorJson, 'utf8').digest('hex'),
    chains,
    windows,
    logicVersion,
    windowCode,
  };
}

function producerOf(producer: Map<LogicalNode, string>, node: LogicalNode): string {
  const name = producer.get(node);
  if (name === undefined) throw new PipelineDefinitionError(`step "${node.name}" is used before it is defined`);
  return name;
}

/** True when every other consumer of `node`'s input is a sink that does not write the record key. */
function siblingsIgnoreKey(p: Pipeline, node: StepNode): boolean {
  return p.nodes.every(
    (n) =>
      n === node ||
      n.kind === 'source' ||
      n.input !== node.input ||
      (n.kind === 'sink' && n.target.type === 'clickhouse'),
  );
}
