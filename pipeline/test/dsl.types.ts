/**
 * Compile-time checks of the DSL's types. Not run: `npm run typecheck` (tsc --noEmit over the repo)
 * fails if any @ts-expect-error below stops being an error, i.e. if types stop flowing step to step.
 */
import { clickhouseTable, kafkaSource, kafkaTime, pipeline, reject, tumbling } from '../src/dsl';
import type { CandleRow, TickRow } from '../src/stock/rows';

const p = pipeline('types');
const ticks = p
  .source(
    kafkaSource({
      name: 'src',
      topic: 't',
      watermark: { maxOutOfOrdernessMs: 0, idlenessMs: 1 },
      eventTime: kafkaTime(),
    }),
  )
  .map('parse', (r) => (r.value.length > 0 ? { symbol: r.key, price: Number(r.value) } : reject('empty')));

// @ts-expect-error a field the previous step does not produce
ticks.map('wrong-field', (t) => t.pricee);

const raw = pipeline('raw').source(
  kafkaSource({
    name: 'src',
    topic: 't',
    watermark: { maxOutOfOrdernessMs: 0, idlenessMs: 1 },
    eventTime: kafkaTime(),
  }),
);
// @ts-expect-error the source record has no `payload`, only value/key/timestamp/origin
raw.map('x', (r) => r.payload);

// @ts-expect-error a stream of another shape cannot go into the ticks table
ticks.sink('wrong-table', clickhouseTable<TickRow>('ticks'));

// @ts-expect-error filter must answer a boolean
ticks.filter('not-boolean', (t) => t.price);

// @ts-expect-error keyBy must produce a string key
ticks.keyBy('number-key', (t) => t.price);

const windowed = ticks.keyBy('by-symbol', (t) => t.symbol).window('w', tumbling(60_000));
const candles = windowed
  .accumulate({ order: (t) => [t.symbol], fields: (f) => ({ n: f.count(), last: f.last((t) => t.price) }) })
  .finish((acc, w) => ({ symbol: w.key, n: acc.n, last: acc.last }));

// @ts-expect-error the finish output has `n`, not `count`
candles.map('wrong-finish-field', (c) => c.count);

// @ts-expect-error an accumulator field reads the record's fields: ticks have no `size`
windowed.accumulate({ fields: (f) => ({ v: f.sum((t) => t.size) }) });

// @ts-expect-error a sum must be of numbers
windowed.accumulate({ fields: (f) => ({ v: f.sum((t) => t.symbol) }) });

// @ts-expect-error an ordering key is numbers and strings
windowed.accumulate({ order: (t) => [{ at: t.price }], fields: (f) => ({ n: f.count() }) });

windowed
  .accumulate({ fields: (f) => ({ n: f.count(), top: f.max((t) => t.price) }) })
  // @ts-expect-error the finish step sees the accumulated fields, typed: `top` is a number, `n` too, no `avg`
  .finish((acc) => ({ avg: acc.avg, top: acc.top.toUpperCase() }));

// @ts-expect-error a keyed stream can only be windowed
ticks.keyBy('by-symbol-2', (t) => t.symbol).map('after-key', (t) => t);

// @ts-expect-error candles of this shape are not candles_1m rows
candles.sink('wrong-candles', clickhouseTable<CandleRow>('candles_1m'));

// And the right thing compiles: types flow through map -> keyBy -> window -> accumulate -> finish -> map.
candles
  .map('ok', (c) => ({ symbol: c.symbol, n: c.n + 1 }))
  .sink('ok-sink', clickhouseTable<{ symbol: string; n: number }>('ok'));
