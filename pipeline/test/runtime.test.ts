import { describe, expect, it } from 'vitest';
import { compile } from '../src/compiler/compile';
import { boundedRaw, deadLetterRow, formatClickHouseDateTime } from '../src/contract/deadLetter';
import { encodeOrderKey, kafkaSource, kafkaTime, kafkaTopic, pipeline, reject, tumbling } from '../src/dsl';
import { NOT_UTF8, runChain } from '../src/runtime/chain';
import { runFinish, runLate } from '../src/runtime/window';
import { fire, forward, readable, rec } from './helpers';

const T = Date.UTC(2026, 10, 21, 12, 0, 0);

/** src -> [parse (map) > evens (filter) > explode (flatMap) > check (map)] -> out; also a window branch. */
function build() {
  const p = pipeline('runtime');
  const numbers = p
    .source(
      kafkaSource({
        name: 'src',
        topic: 'in',
        watermark: { maxOutOfOrdernessMs: 0, idlenessMs: 1 },
        eventTime: kafkaTime(),
      }),
    )
    .map('parse', (r) => {
      const n = Number(r.value);
      return Number.isInteger(n) ? { n, from: r.key } : reject(`not an integer: ${r.value}`);
    });
  numbers
    .filter('evens', (x) => x.n % 2 === 0)
    .flatMap('explode', (x) => Array.from({ length: x.n / 2 }, (_, i) => ({ ...x, part: i })))
    .map('check', (x) => {
      if (x.n === 666) throw new TypeError('unlucky number');
      if (x.n === 10 && x.part === 4) return reject('fifth part of ten');
      return x;
    })
    .sink('out', kafkaTopic('out'));
  numbers
    .keyBy('by-from', (x) => x.from)
    .window('sum', tumbling(1000))
    .accumulate({
      order: (x) => [x.n, x.from],
      fields: (f) => ({
        total: f.sum((x) => x.n),
        n: f.count(),
        smallest: f.first((x) => x.n),
        from: f.last((x) => x.from),
      }),
    })
    .finish((acc, w) =>
      acc.n > 2
        ? reject(`too many for ${w.key}`)
        : { sum: acc.total, n: acc.n, smallest: acc.smallest, from: acc.from },
    )
    .sink('sums', kafkaTopic('sums'));
  p.deadLetter('dlq', [kafkaTopic('dead')]);
  return compile(p);
}

describe('chain runtime', () => {
  const compiled = build();
  const chain = (name: string) => compiled.chains.get(name)!;

  it("runs map, filter and flatMap per record, keeping each input's index, key, timestamp and origin", () => {
    const parsed = runChain(chain('parse'), [rec('4', 'k1', T, 'in/0/1'), rec('3', 'k2', T + 1, 'in/0/2')]);
    const result = readable(
      runChain(
        chain('evens'),
        parsed.outputs.map((o) => o.record),
      ),
    );
    expect(result.rejections).toEqual([]);
    expect(result.outputs).toEqual([
      { inputIndex: 0, value: { n: 4, from: 'k1', part: 0 }, key: 'k1', timestamp: T, origin: 'in/0/1' },
      { inputIndex: 0, value: { n: 4, from: 'k1', part: 1 }, key: 'k1', timestamp: T, origin: 'in/0/1' },
    ]);
  });

  it('rejects a whole input when any of its flatMap outputs is rejected or a step throws', () => {
    const inputs = [
      { n: 10, from: 'a' },
      { n: 2, from: 'b' },
      { n: 666, from: 'c' },
    ].map((v, i) => rec(JSON.stringify(v), v.from, T + i * 1000, `in/1/${i}`));
    const result = readable(runChain(chain('evens'), inputs));
    expect(result.outputs).toEqual([
      { inputIndex: 1, value: { n: 2, from: 'b', part: 0 }, key: 'b', timestamp: T + 1000, origin: 'in/1/1' },
    ]);
    expect(result.rejections).toEqual([
      {
        inputIndex: 0,
        step: 'check',
        reason: 'fifth part of ten',
        deadLetter: {
          origin: 'in/1/0',
          step: 'check',
          reason: 'fifth part of ten',
          // raw = the refusing step's input (the fifth part), as JSON: what `check` would receive unfused.
          ...boundedRaw('{"n":10,"from":"a","part":4}'),
          ts: '2026-11-21 12:00:00',
        },
      },
      {
        inputIndex: 2,
        step: 'check',
        reason: 'TypeError: unlucky number',
        deadLetter: {
          origin: 'in/1/2',
          step: 'check',
          reason: 'TypeError: unlucky number',
          ...boundedRaw('{"n":666,"from":"c","part":0}'),
          ts: '2026-11-21 12:00:02',
        },
      },
    ]);
  });

  it('rejects explicit rejections at the source step with the raw value', () => {
    const result = readable(runChain(chain('parse'), [rec('1.5', 'k', T, 'in/0/9')]));
    expect(result).toEqual({
      outputs: [],
      rejections: [
        {
          inputIndex: 0,
          step: 'parse',
          reason: 'not an integer: 1.5',
          deadLetter: {
            origin: 'in/0/9',
            step: 'parse',
            reason: 'not an integer: 1.5',
            ...boundedRaw('1.5'),
            ts: '2026-11-21 12:00:00',
          },
        },
      ],
    });
  });

  it("rejects an input that is not JSON between nodes, naming the chain's first step", () => {
    const result = readable(runChain(chain('evens'), [rec('{oops', 'k', T, 'in/0/3')]));
    expect(result.rejections).toEqual([
      expect.objectContaining({
        inputIndex: 0,
        step: 'evens',
        reason: expect.stringMatching(/^input is not valid JSON: /),
      }),
    ]);
  });

  it('sets the key in a keyed chain', () => {
    const result = readable(runChain(chain('by-from'), [rec('{"n":1,"from":"zz"}', 'old', T, 'in/0/4')]));
    expect(result.outputs).toEqual([
      { inputIndex: 0, value: { n: 1, from: 'zz' }, key: 'zz', timestamp: T, origin: 'in/0/4' },
    ]);
  });
});

describe('window runtime', () => {
  const compiled = build();
  const keyed = compiled.chains.get('by-from')!;
  const sum = compiled.windows.get('sum')!;
  const spec = { ordered: true, fields: sum.accumulator.numeric.concat(sum.accumulator.valued) };
  const descriptorSpec = compiled.descriptor.nodes.find((n) => n.name === 'sum');
  const info = { key: 'a', start: T, end: T + 1000 };

  it('gives each keyed output a one-record accumulator: ordering key, numbers and JSON values in spec order', () => {
    expect(descriptorSpec).toMatchObject({
      accumulator: {
        ordered: true,
        fields: [
          { name: 'total', op: 'sum' },
          { name: 'n', op: 'count' },
          { name: 'smallest', op: 'first' },
          { name: 'from', op: 'last' },
        ],
      },
    });
    const out = runChain(keyed, [rec('{"n":4,"from":"a"}', 'x', T, 'in/0/1')]).outputs;
    expect(out.map((o) => o.record.accumulators)).toEqual([
      [
        {
          order: encodeOrderKey([4, 'a']),
          numbers: [4, 1],
          values: [Buffer.from('4'), Buffer.from('"a"')],
          windowStart: 0,
          windowEnd: 0,
        },
      ],
    ]);
  });

  it('rejects a record whose accumulator cannot be made, naming the window and the field', () => {
    const result = readable(runChain(keyed, [rec('{"n":"many","from":"a"}', 'x', T, 'in/0/2')]));
    expect(result.outputs).toEqual([]);
    expect(result.rejections.map((r) => [r.inputIndex, r.step, r.reason])).toEqual([
      [0, 'sum', 'sum field "total" of window sum is many, not a finite number'],
    ]);
  });

  it("finishes a fired window's merged accumulator into one output with the key, max timestamp and window origin", () => {
    const records = [rec('{"n":5,"from":"b"}', 'a', T + 5, 'in/0/2'), rec('{"n":2,"from":"c"}', 'a', T, 'in/0/1')];
    const fired = fire(forward(runChain(keyed, records)), 0, spec, info);
    expect(readable(runFinish(sum, [fired]))).toEqual({
      outputs: [
        {
          inputIndex: 0,
          value: { sum: 7, n: 2, smallest: 2, from: 'b' },
          key: 'a',
          timestamp: T + 999,
          origin: `sum/a/${T}`,
        },
      ],
      rejections: [],
    });
  });

  it('rejects one window when its finish rejects, with the accumulated fields as raw', () => {
    const records = [1, 2, 3].map((n) => rec(`{"n":${n},"from":"a"}`, 'a', T + n, `in/0/${n}`));
    const fired = fire(forward(runChain(keyed, records)), 0, spec, info);
    const ok = fire(forward(runChain(keyed, records.slice(0, 1))), 0, spec, { ...info, key: 'b' });
    const result = readable(runFinish(sum, [fired, ok]));
    expect(result.outputs.map((o) => [o.inputIndex, o.key])).toEqual([[1, 'b']]);
    expect(result.rejections).toEqual([
      {
        inputIndex: 0,
        step: 'sum',
        reason: 'too many for a',
        deadLetter: {
          origin: `sum/a/${T}`,
          step: 'sum',
          reason: 'too many for a',
          ...boundedRaw('{"total":6,"n":3,"smallest":1,"from":"a"}'),
          ts: '2026-11-21 12:00:00',
        },
      },
    ]);
  });

  it('builds the dead letter of each late record (the bridge knows no row format)', () => {
    const result = readable(
      runLate(sum, [rec('{"n":1,"from":"a"}', 'a', T + 25_000, 'in/0/7'), rec('{"n":1}', 'a', T + 1_500, 'in/0/8')]),
    );
    expect(result.outputs).toEqual([]);
    expect(result.rejections.map((r) => [r.inputIndex, r.reason, r.deadLetter])).toEqual([
      [
        0,
        'late: event time 2026-11-21T12:00:25Z is behind watermark for window node sum',
        {
          origin: 'in/0/7',
          step: 'sum',
          reason: 'late: event time 2026-11-21T12:00:25Z is behind watermark for window node sum',
          ...boundedRaw('{"n":1,"from":"a"}'),
          ts: '2026-11-21 12:00:25',
        },
      ],
      [1, 'late: event time 2026-11-21T12:00:01.500Z is behind watermark for window node sum', expect.any(Object)],
    ]);
  });
});

describe('ordering keys', () => {
  it('sort as bytes exactly as the keys compare (numbers numerically, strings by UTF-16 units, shorter first)', () => {
    const parts: (number | string)[] = [
      -Infinity,
      -1e300,
      -2.5,
      -1,
      -0,
      0,
      1e-300,
      1,
      2,
      2.5,
      1e300,
      Infinity,
      '',
      'a',
      'aa',
      'ab',
      'b',
      'z',
      '\u0000',
      '\u0001',
      '~',
      '\u007f',
      '\u0080',
      'a\u007f',
      'a\u007e',
      'é',
      '\uffff',
      '😀',
      '2026-11-21 12:00:00',
      '2026-11-21 12:00:01',
    ];
    const keys: (number | string)[][] = [];
    for (const a of parts) for (const b of parts.slice(0, 8)) keys.push([a, b]);
    const compare = (x: number | string, y: number | string) => {
      if (typeof x !== typeof y) return typeof x === 'number' ? -1 : 1;
      return x < y ? -1 : x > y ? 1 : 0;
    };
    const reference = [...keys].sort((k, l) => compare(k[0]!, l[0]!) || compare(k[1]!, l[1]!));
    const byBytes = [...keys].sort((k, l) => Buffer.compare(encodeOrderKey(k), encodeOrderKey(l)));
    expect(byBytes).toEqual(reference);
    expect(() => encodeOrderKey([Number.NaN])).toThrow('ordering key has NaN, which has no order');
  });
});

describe('ClickHouse DateTime text', () => {
  it('formats UTC and clamps a missing (-1) timestamp to the epoch', () => {
    expect(formatClickHouseDateTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('2026-01-02 03:04:05');
    expect(formatClickHouseDateTime(-1)).toBe('1970-01-01 00:00:00');
    // A Kafka timestamp past what Date (and DateTime) can hold is clamped instead of throwing.
    expect(formatClickHouseDateTime(Number.MAX_SAFE_INTEGER)).toBe('2106-02-07 06:28:15');
    expect(formatClickHouseDateTime(8.64e15 + 1)).toBe('2106-02-07 06:28:15');
  });
});

// Every dead-letter row comes from this formatter (the bridge's refusals too: reject.test.ts).
describe('dead-letter rows stay writable', () => {
  it('cut long text at 64 KiB on a character boundary, with the full length and SHA-256', () => {
    const row = deadLetterRow('t/0/1', 'step', 'why', Buffer.from('é'.repeat(40_000)), 1_700_000_000_000);
    expect(row).toEqual({
      origin: 't/0/1',
      step: 'step',
      reason: 'why',
      raw: 'é'.repeat(32_768),
      raw_bytes: 80_000,
      raw_sha256: '5af34165078f245d4399a6091f29ce953f347b1fd3f2e1d6de20fb29c8e84f54',
      raw_encoding: 'utf8',
      ts: '2023-11-14 22:13:20',
    });
  });

  it('never split a character', () => {
    expect(boundedRaw(`a${'é'.repeat(40_000)}`)).toMatchObject({ raw: `a${'é'.repeat(32_767)}`, raw_bytes: 80_001 });
  });

  it('store bytes that are not UTF-8 as base64', () => {
    expect(boundedRaw(new Uint8Array([0xff, 0x00, 0x41]))).toEqual({
      raw: '/wBB',
      raw_bytes: 3,
      raw_sha256: '0fa3e62511779f0398b77cad37b3cc4763bb96253b91fcd61500f8a979ad9920',
      raw_encoding: 'base64',
    });
    const long = boundedRaw(new Uint8Array(70_000).fill(0xff));
    expect([long.raw.length, long.raw_bytes, long.raw_sha256]).toEqual([
      65_536,
      70_000,
      '54c0575c5fafcb092053ea4381b0620632c2396211b239dc43aa6df4f10f3c07',
    ]);
  });

  it('replace lone surrogates in reasons (V8 names half an emoji in a JSON.parse error)', () => {
    const reason = (() => {
      try {
        JSON.parse('😀');
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(/\p{Cs}/u.test(reason)).toBe(true);
    const row = deadLetterRow('o\uD800', 's', reason, '😀', 0);
    expect([row.origin, /\p{Cs}/u.test(row.reason), row.reason.includes('\uFFFD')]).toEqual(['o\uFFFD', false, true]);
    expect(JSON.stringify(row)).not.toMatch(/\\ud[89a-f]/i);
  });

  it('cut long reasons at 4 KiB', () => {
    expect(deadLetterRow('o', 's', 'r'.repeat(10_000), '', 0).reason).toBe('r'.repeat(4_096));
  });

  it('keep a raw Kafka value that is not UTF-8 exactly, as base64, when the first chain rejects it', () => {
    const notUtf8 = { value: new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]), key: 'k', timestamp: T, origin: 'in/0/7' };
    const result = readable(runChain(build().chains.get('parse')!, [notUtf8]));
    expect(result.rejections[0]?.deadLetter).toMatchObject({ raw: 'e8MofQ==', raw_bytes: 4, raw_encoding: 'base64' });
  });

  it('refuse a source value that is not UTF-8 before any step sees it', () => {
    // `{"v":"<ff>"}` decodes leniently (U+FFFD) to valid JSON; the first step must never see it.
    const bytes = Buffer.concat([Buffer.from('{"v":"'), Buffer.from([0xff]), Buffer.from('"}')]);
    const record = { value: new Uint8Array(bytes), key: 'k', timestamp: T, origin: 'in/0/8' };
    const result = readable(runChain(build().chains.get('parse')!, [record]));
    expect(result.outputs).toEqual([]);
    expect(result.rejections.map((r) => [r.inputIndex, r.reason])).toEqual([[0, NOT_UTF8]]);
  });
});
