import { describe, expect, it } from 'vitest';
import { compile } from '../src/compiler/compile';
import { checkCompatibility, jsonDifferences, refusalMessage } from '../src/descriptor/compatibility';
import { clickhouseTable, kafkaSource, kafkaTime, pipeline, tumbling } from '../src/dsl';
import { stampedJson } from '../src/runtime/logicVersion';
import { logicManifest } from '../src/worker/reload';

interface Variant {
  logicVersion?: string;
  threshold?: number;
  windowMs?: number;
  windowVersion?: number;
  /** A different finish step (same result shape). */
  doubled?: boolean;
  table?: string;
  extraSink?: boolean;
}

/** A small pipeline in the stock pipeline's shape; the manifest as a worker would report it. */
function manifest(v: Variant, contentVersion = 'sha256:aaaa') {
  const threshold = v.threshold ?? 1;
  const p = pipeline('compat', v.logicVersion === undefined ? {} : { logicVersion: v.logicVersion });
  const rows = p
    .source(
      kafkaSource({
        name: 'read',
        topic: 'in',
        watermark: { maxOutOfOrdernessMs: 0, idlenessMs: 1 },
        eventTime: kafkaTime(),
      }),
    )
    .map('parse', (r) => ({ symbol: r.key, n: Number(r.value) }));
  rows.sink('write', clickhouseTable(v.table ?? 'rows'));
  const sums = rows
    .keyBy('by-symbol', (r) => r.symbol)
    .window('sums', tumbling(v.windowMs ?? 60_000), v.windowVersion === undefined ? {} : { version: v.windowVersion })
    .accumulate({ fields: (f) => ({ sum: f.sum((r) => r.n) }) })
    .finish(v.doubled ? (a) => ({ total: a.sum * 2 }) : (a) => ({ total: a.sum }));
  sums.flatMap('alerts', (s) => (s.total >= threshold ? [s] : [])).sink('write-alerts', clickhouseTable('alerts'));
  if (v.extraSink) sums.sink('write-sums', clickhouseTable('sums'));
  p.deadLetter('dead-letter', [clickhouseTable('dead_letters')]);
  return logicManifest(compile(p, { logicVersion: contentVersion }), contentVersion, v.logicVersion !== undefined);
}

describe('live reload compatibility', () => {
  it('accepts a change of step code (the alert threshold) with a new logic version', () => {
    const before = manifest({ logicVersion: 'v1', threshold: 1 });
    const after = manifest({ logicVersion: 'v2', threshold: 2 }, 'sha256:bbbb');
    expect(after.descriptorJson).toBe(before.descriptorJson);
    expect(checkCompatibility(before, after)).toEqual({ compatible: true });
  });

  it('refuses a changed window spec, naming the node and field', () => {
    expect(checkCompatibility(manifest({}), manifest({ windowMs: 30_000 }))).toEqual({
      compatible: false,
      changes: ['descriptor nodes[sums].window.sizeMs: 60000 → 30000'],
    });
  });

  it('refuses added nodes and changed sink targets', () => {
    expect(checkCompatibility(manifest({}), manifest({ extraSink: true, table: 'rows2' }))).toEqual({
      compatible: false,
      changes: ['descriptor nodes[write].target.table: "rows" → "rows2"', 'descriptor nodes[write-sums]: added'],
    });
  });

  it('accepts changed aggregate code only under an unchanged declared window version', () => {
    expect(checkCompatibility(manifest({ windowVersion: 3 }), manifest({ windowVersion: 3, doubled: true }))).toEqual({
      compatible: true,
    });
    expect(checkCompatibility(manifest({ windowVersion: 3 }), manifest({ windowVersion: 4, doubled: true }))).toEqual({
      compatible: false,
      changes: ['window sums: version "3" → "4" (its results or state change)'],
    });
    expect(checkCompatibility(manifest({}), manifest({ doubled: true }))).toEqual({
      compatible: false,
      changes: [
        'window sums: aggregate code changed and the window declares no version (declare { version } in its options and keep it to mark a compatible change)',
      ],
    });
    // The same aggregate without a version: nothing changed there.
    expect(checkCompatibility(manifest({}), manifest({}, 'sha256:cccc'))).toEqual({ compatible: true });
  });

  it('refuses new code under the same declared logic version (outputs could not be told apart)', () => {
    expect(
      checkCompatibility(
        manifest({ logicVersion: 'v1' }),
        manifest({ logicVersion: 'v1', threshold: 5 }, 'sha256:bbbb'),
      ),
    ).toEqual({
      compatible: false,
      changes: ['logicVersion "v1" is unchanged but the code changed: raise it so outputs tell the versions apart'],
    });
  });

  it('diffs JSON by name in named arrays and by index elsewhere; the refusal says what to do', () => {
    expect(jsonDifferences({ a: [1, 2], b: { c: 'x' } }, { a: [1, 3], b: { c: 'x', d: true } })).toEqual([
      'a[1]: 2 → 3',
      'b.d: (none) → true',
    ]);
    expect(jsonDifferences([{ name: 'a' }, { name: 'b' }], [{ name: 'b' }, { name: 'a' }])).toEqual([
      '(root): order changed',
    ]);
    expect(refusalMessage(['descriptor x: 1 → 2'])).toBe(
      [
        'reload refused: the new logic changes what the running Flink job was built from:',
        '  - descriptor x: 1 → 2',
        'apply it with a stop-with-savepoint (npm run stop) and a redeploy (npm run deploy -- --from-latest-savepoint) with the worker restarted on the new code; the running worker keeps serving the old logic',
      ].join('\n'),
    );
  });

  it('stamps logic_version only on outputs bound for a sink', () => {
    const p = pipeline('stamp', { logicVersion: 'v7' });
    const rows = p
      .source(
        kafkaSource({
          name: 'read',
          topic: 'in',
          watermark: { maxOutOfOrdernessMs: 0, idlenessMs: 1 },
          eventTime: kafkaTime(),
        }),
      )
      .map('parse', (r) => ({ n: Number(r.value) }));
    rows.map('to-sink', (r) => ({ m: r.n })).sink('write', clickhouseTable('rows'));
    rows.map('to-nums', (r) => ({ n: r.n + 1 })).sink('write-n', clickhouseTable('nums'));
    p.deadLetter('dead-letter', [clickhouseTable('dead_letters')]);
    const compiled = compile(p);
    expect(compiled.logicVersion).toBe('v7');
    expect(compiled.chains.get('parse')!.logicVersion).toBeUndefined();
    expect(compiled.chains.get('to-sink')!.logicVersion).toBe('v7');
    expect(compiled.chains.get('to-nums')!.logicVersion).toBe('v7');
  });
});

describe('stampedJson', () => {
  it('appends logic_version to JSON objects only, never changing the value', () => {
    const row = { a: 1, b: 'x' };
    expect(stampedJson(row, 'v1')).toBe('{"a":1,"b":"x","logic_version":"v1"}');
    expect(row).toEqual({ a: 1, b: 'x' });
    expect(stampedJson({}, 'v1')).toBe('{"logic_version":"v1"}');
    expect(stampedJson({ logic_version: 'mine', a: 1 }, 'v2')).toBe('{"logic_version":"v2","a":1}');
    expect(stampedJson([1], 'v1')).toBe('[1]');
    expect(stampedJson('text', 'v1')).toBe('"text"');
    expect(stampedJson(new Date(0), 'v1')).toBe('"1970-01-01T00:00:00.000Z"');
    expect(stampedJson(row, undefined)).toBe('{"a":1,"b":"x"}');
    expect(stampedJson(undefined, 'v1')).toBeUndefined();
  });
});
