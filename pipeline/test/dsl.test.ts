import { describe, expect, it } from 'vitest';
import { compile } from '../src/compiler/compile';
import type { DescriptorNode } from '../src/descriptor/schema';
import {
  type AccumulatorKit,
  clickhouseTable,
  DEFAULT_MAX_AHEAD_MS,
  dedupeById,
  fieldTime,
  kafkaSource,
  kafkaTime,
  kafkaTopic,
  type Pipeline,
  PipelineDefinitionError,
  pipeline,
  reject,
  type SourceRecord,
  sliding,
  tumbling,
} from '../src/dsl';

const source = kafkaSource({
  name: 'src',
  topic: 'in',
  watermark: { maxOutOfOrdernessMs: 100, idlenessMs: 1000 },
  eventTime: kafkaTime(),
});

function withDeadLetter(p: Pipeline): Pipeline {
  return p.deadLetter('dlq', [kafkaTopic('dead')]);
}

/** The descriptor nodes as "kind name <- input [steps]" lines: easy to read when a fusion test fails. */
function shape(p: Pipeline): string[] {
  return compile(p).descriptor.nodes.map((n: DescriptorNode) => {
    const steps =
      n.kind === 'chain' ? ` [${n.steps.map((s) => `${s.kind}:${s.name}`).join(' ')}]${n.keyed ? ' keyed' : ''}` : '';
    const par = n.parallelism ? ` p${n.parallelism}` : '';
    return `${n.kind} ${n.name} <- ${n.input}${steps}${par}`;
  });
}

describe('fusion', () => {
  it('fuses consecutive stateless steps into one chain, cut before a sink', () => {
    const p = pipeline('fuse');
    p.source(source)
      .map('parse', (r) => JSON.parse(r.value) as { n: number })
      .filter('positive', (v) => v.n > 0)
      .flatMap('twice', (v) => [v, v])
      .map('to-row', (v) => ({ n: v.n }))
      .sink('out', kafkaTopic<{ n: number }>('out'));
    expect(shape(withDeadLetter(p))).toEqual([
      'chain parse <- src [map:parse filter:positive flatMap:twice map:to-row]',
      'sink out <- parse',
    ]);
  });

  it('cuts at a branch point, after keyBy, at a window and at a parallelism change', () => {
    const p = pipeline('cuts', { parallelism: 3 });
    const parsed = p.source(source).map('parse', (r) => ({ k: r.key, v: Number(r.value) }));
    parsed.map('double', (x) => ({ ...x, v: x.v * 2 })).sink('doubles', kafkaTopic('doubles'));
    const sums = parsed
      .map('clamp', (x) => ({ ...x, v: Math.max(0, x.v) }))
      .keyBy('by-k', (x) => x.k)
      .window('sum-10s', tumbling(10_000), { allowedLatenessMs: 500 })
      .accumulate({ fields: (f) => ({ sum: f.sum((x) => x.v) }) })
      .finish((acc, w) => ({ k: w.key, sum: acc.sum }));
    sums
      .map('label', (s) => ({ ...s, label: `${s.k}=${s.sum}` }))
      .map('wide', (s) => s, { parallelism: 1 })
      .sink('sums', kafkaTopic('sums'));
    expect(shape(withDeadLetter(p))).toEqual([
      'chain parse <- src [map:parse]',
      'chain double <- parse [map:double]',
      'sink doubles <- double',
      'chain clamp <- parse [map:clamp keyBy:by-k] keyed',
      'window sum-10s <- clamp',
      'chain label <- sum-10s [map:label]',
      'chain wide <- label [map:wide] p1',
      'sink sums <- wide',
    ]);
    const window = compile(p).descriptor.nodes.find((n) => n.kind === 'window');
    expect(window).toEqual({
      kind: 'window',
      name: 'sum-10s',
      input: 'clamp',
      window: { type: 'tumbling', sizeMs: 10_000 },
      allowedLatenessMs: 500,
      accumulator: { ordered: false, fields: [{ name: 'sum', op: 'sum' }] },
    });
    // The keyed chain makes the window's one-record accumulators; no other chain does.
    const runtime = compile(p).chains;
    expect([...runtime.values()].map((c) => [c.name, c.accumulators.map((a) => a.window)])).toEqual([
      ['parse', []],
      ['double', []],
      ['clamp', ['sum-10s']],
      ['label', []],
      ['wide', []],
    ]);
  });

  it('fuses a keyBy into the chain before it when its only siblings are ClickHouse sinks', () => {
    const build = (sibling: 'clickhouse' | 'kafka' | 'map') => {
      const p = pipeline('keyed-branch');
      const rows = p.source(source).map('parse', (r) => ({ k: r.key, v: Number(r.value) }));
      if (sibling === 'clickhouse') rows.sink('rows', clickhouseTable('rows'));
      if (sibling === 'kafka') rows.sink('rows', kafkaTopic('rows'));
      if (sibling === 'map') rows.map('copy', (x) => x).sink('rows', clickhouseTable('rows'));
      rows
        .keyBy('by-k', (x) => x.k)
        .window('count-10s', tumbling(10_000), { allowedLatenessMs: 0 })
        .accumulate({ fields: (f) => ({ n: f.count() }) })
        .finish((acc, w) => ({ k: w.key, n: acc.n }))
        .sink('counts', clickhouseTable('counts'));
      return withDeadLetter(p);
    };
    // One worker call per record: the ClickHouse row is the value, which the keyBy does not change.
    expect(shape(build('clickhouse'))).toEqual([
      'chain parse <- src [map:parse keyBy:by-k] keyed',
      'sink rows <- parse',
      'window count-10s <- parse',
      'sink counts <- count-10s',
    ]);
    // A Kafka sink writes the record key, so it must see the key from before the keyBy: cut.
    expect(shape(build('kafka'))).toEqual([
      'chain parse <- src [map:parse]',
      'sink rows <- parse',
      'chain by-k <- parse [keyBy:by-k] keyed',
      'window count-10s <- by-k',
      'sink counts <- count-10s',
    ]);
    expect(shape(build('map'))).toEqual([
      'chain parse <- src [map:parse]',
      'chain copy <- parse [map:copy]',
      'sink rows <- copy',
      'chain by-k <- parse [keyBy:by-k] keyed',
      'window count-10s <- by-k',
      'sink counts <- count-10s',
    ]);
  });

  it('keeps a chain name stable when a step is appended', () => {
    const build = (extra: boolean) => {
      const p = pipeline('stable');
      const s = p.source(source).map('parse', (r) => r.value);
      (extra ? s.map('upper', (v) => v.toUpperCase()) : s).sink('out', kafkaTopic('out'));
      return compile(withDeadLetter(p)).descriptor.nodes.map((n) => n.name);
    };
    expect(build(false)).toEqual(['parse', 'out']);
    expect(build(true)).toEqual(['parse', 'out']);
  });

  it('describes sliding windows and sink targets', () => {
    const p = pipeline('slide');
    p.source(source)
      .map('parse', (r) => ({ k: r.key }))
      .keyBy('by-k', (x) => x.k)
      .window('count-1m', sliding(60_000, 10_000))
      .accumulate({ fields: (f) => ({ n: f.count() }) })
      .finish((acc, w) => ({ k: w.key, n: acc.n }))
      .sink('counts', clickhouseTable<{ k: string; n: number }>('counts'));
    const d = compile(withDeadLetter(p)).descriptor;
    expect(d.nodes[1]).toEqual({
      kind: 'window',
      name: 'count-1m',
      input: 'parse',
      window: { type: 'sliding', sizeMs: 60_000, slideMs: 10_000 },
      allowedLatenessMs: 0,
      accumulator: { ordered: false, fields: [{ name: 'n', op: 'count' }] },
    });
    expect(d.nodes[2]).toEqual({
      kind: 'sink',
      name: 'counts',
      input: 'count-1m',
      target: { type: 'clickhouse', table: 'counts' },
    });
    expect(d.deadLetter).toEqual({ name: 'dlq', targets: [{ type: 'kafka', topic: 'dead' }] });
  });
});

describe('definition errors', () => {
  it('refuses a duplicate step name', () => {
    const p = pipeline('dup');
    const s = p.source(source).map('parse', (r) => r.value);
    expect(() => s.map('parse', (v) => v)).toThrow(
      new PipelineDefinitionError('step name "parse" is used twice in pipeline "dup"; names must be unique'),
    );
    expect(() => s.sink('src', kafkaTopic('x'))).toThrow(/step name "src" is used twice/);
  });

  it('refuses names that are not kebab-case', () => {
    const p = pipeline('names');
    const s = p.source(source);
    for (const bad of ['Parse', 'parse_tick', '-parse', 'parse-', 'parse--tick', '1parse', '', 'a'.repeat(64)]) {
      expect(() => s.map(bad, (r) => r), bad).toThrow(PipelineDefinitionError);
    }
    expect(() => s.map('parse-tick-2', (r) => r)).not.toThrow();
  });

  it('needs a source, a dead-letter route, and steps that lead somewhere', () => {
    expect(() => compile(pipeline('empty'))).toThrow('pipeline "empty" has no source');
    const noDlq = pipeline('no-dlq');
    noDlq
      .source(source)
      .map('parse', (r) => r.value)
      .sink('out', kafkaTopic('out'));
    expect(() => compile(noDlq)).toThrow('pipeline "no-dlq" has no dead-letter route (call .deadLetter())');
    const dangling = pipeline('dangling');
    dangling.source(source).map('parse', (r) => r.value);
    expect(() => compile(withDeadLetter(dangling))).toThrow('step "parse" goes nowhere: add a step or a sink after it');
    const keyedOnly = pipeline('keyed-only');
    keyedOnly.source(source).keyBy('by-key', (r) => r.key);
    expect(() => compile(withDeadLetter(keyedOnly))).toThrow('keyBy "by-key" must be followed by a window');
  });

  it('refuses a sink reading the raw source and bad window or parallelism settings', () => {
    const p = pipeline('bad');
    const s = p.source(source);
    expect(() => s.sink('raw', kafkaTopic('raw'))).toThrow(/reads the source directly/);
    expect(() => s.map('m', (r) => r, { parallelism: 0 })).toThrow(
      'parallelism of m must be a positive integer, got 0',
    );
    const keyed = s.keyBy('by-key', (r) => r.key);
    const count = { fields: (f: AccumulatorKit<SourceRecord>) => ({ n: f.count() }) };
    expect(() => keyed.window('w', tumbling(0)).accumulate(count)).toThrow(/size must be a positive integer/);
    expect(() => keyed.window('w2', tumbling(10), { allowedLatenessMs: -1 }).accumulate(count)).toThrow(
      /allowedLatenessMs must be an integer >= 0/,
    );
    expect(() =>
      keyed.window('w3', tumbling(10)).accumulate({ fields: (f) => ({ open: f.first((r) => r.value) }) }),
    ).toThrow('window "w3": first/last fields (open) need an ordering key: order: (record) => [...]');
    expect(() => keyed.window('w4', tumbling(10)).accumulate({ fields: () => ({}) })).toThrow(
      'window "w4": an accumulator needs at least one field',
    );
    expect(() => keyed.window('w5', tumbling(10)).accumulate({ fields: (f) => ({ 'a-b': f.count() }) })).toThrow(
      'window "w5": accumulator field name "a-b" is not an identifier',
    );
  });

  it('offers reject() as an explicit rejection value', () => {
    const r = reject('too big');
    expect(r.reason).toBe('too big');
  });
});

describe('event time and dedupe in the descriptor', () => {
  function sourceOf(spec: Parameters<typeof kafkaSource>[0]) {
    const p = withDeadLetter(pipeline('evt'));
    p.source(kafkaSource(spec))
      .map('parse', (r) => ({ v: r.value }))
      .sink('out', clickhouseTable<{ v: string }>('t'));
    return compile(p).descriptor.source;
  }
  const base = { name: 'src', topic: 'in', watermark: { maxOutOfOrdernessMs: 100, idlenessMs: 1000 } };

  it('carries a field path and format, the tolerance and the dedupe horizon', () => {
    expect(
      sourceOf({ ...base, eventTime: fieldTime('meta.at', 'epoch-millis'), dedupe: dedupeById('id', 5_000) }),
    ).toEqual({
      kind: 'source',
      name: 'src',
      type: 'kafka',
      topic: 'in',
      startingOffsets: 'earliest',
      watermark: { maxOutOfOrdernessMs: 100, idlenessMs: 1000 },
      eventTime: { from: 'field', path: ['meta', 'at'], format: 'epoch-millis', maxAheadMs: DEFAULT_MAX_AHEAD_MS },
      dedupe: { idPath: ['id'], horizonMs: 5_000 },
    });
  });

  it('says when event time is the Kafka timestamp, and leaves dedupe out unless asked', () => {
    const source = sourceOf({ ...base, eventTime: kafkaTime({ maxAheadMs: 1_000 }) });
    expect(source.eventTime).toEqual({ from: 'kafka', maxAheadMs: 1_000 });
    expect('dedupe' in source).toBe(false);
  });

  it('refuses a tolerance or horizon that is not a positive integer', () => {
    expect(() => sourceOf({ ...base, eventTime: kafkaTime({ maxAheadMs: 0 }) })).toThrow(PipelineDefinitionError);
    expect(() => sourceOf({ ...base, eventTime: kafkaTime(), dedupe: dedupeById('id', 1.5) })).toThrow(
      /source\.dedupe\.horizonMs/,
    );
  });
});
