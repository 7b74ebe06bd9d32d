import { describe, expect, it } from 'vitest';
import { compile, kafkaSource, kafkaTime, kafkaTopic, pipeline, reject, tumbling } from '../src/dsl';
import { runChain } from '../src/runtime/chain';
import { formatClickHouseDateTime } from '../src/runtime/deadLetter';
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
          raw: '{"n":10,"from":"a"}',
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
          raw: '{"n":666,"from":"c"}',
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
            raw: '1.5',
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
            raw: '[{"n":1},{"n":2},{"n":3}]',
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
  });
});
