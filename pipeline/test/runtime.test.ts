import { describe, expect, it } from 'vitest';
import { compile, kafkaSource, kafkaTime, kafkaTopic, pipeline, reject, tumbling } from '../src/dsl';
import { NOT_UTF8, runChain } from '../src/runtime/chain';
import { boundedRaw, deadLetterRow, formatClickHouseDateTime } from '../src/runtime/deadLetter';
import { runWindow } from '../src/runtime/window';
import { readable, rec } from './helpers';

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
    .aggregate((xs, w) => (xs.length > 2 ? reject(`too many for ${w.key}`) : { sum: xs.reduce((a, x) => a + x.n, 0) }))
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
          ...boundedRaw('{"n":10,"from":"a"}'),
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
          ...boundedRaw('{"n":666,"from":"c"}'),
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
  const sum = build().windows.get('sum')!;
  const info = { key: 'a', start: T, end: T + 1000 };

  it('aggregates to one output with the window key, max timestamp and window origin', () => {
    const result = readable(
      runWindow(sum, info, [
        rec('{"n":2,"from":"a"}', 'a', T, 'in/0/1'),
        rec('{"n":5,"from":"a"}', 'a', T + 5, 'in/0/2'),
      ]),
    );
    expect(result).toEqual({
      outputs: [{ inputIndex: -1, value: { sum: 7 }, key: 'a', timestamp: T + 999, origin: `sum/a/${T}` }],
      rejections: [],
    });
  });

  it('rejects the whole window (input_index -1) when the aggregate rejects, with all records as raw', () => {
    const records = [1, 2, 3].map((n) => rec(`{"n":${n}}`, 'a', T + n, `in/0/${n}`));
    const result = readable(runWindow(sum, info, records));
    expect(result).toEqual({
      outputs: [],
      rejections: [
        {
          inputIndex: -1,
          step: 'sum',
          reason: 'too many for a',
          deadLetter: {
            origin: `sum/a/${T}`,
            step: 'sum',
            reason: 'too many for a',
            ...boundedRaw('[{"n":1},{"n":2},{"n":3}]'),
            ts: '2026-11-21 12:00:00',
          },
        },
      ],
    });
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

// The same cases as flink/bridge DeadLetterRowTest.java: both sides bound dead letters by one rule.
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
