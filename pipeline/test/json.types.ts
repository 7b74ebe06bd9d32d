/**
 * Compile-time checks that step outputs are JSON-safe (dsl/json.ts). Not run: `npm run typecheck`
 * (tsc --noEmit over the repo) fails if any @ts-expect-error below stops being an error. The stock
 * and workshop pipelines compiling under the same typecheck is the other half: real rows pass.
 */
import { clickhouseTable, kafkaSource, kafkaTime, pipeline, reject, tumbling } from '../src/dsl';
import type { TickRow } from '../src/stock/rows';

const rows = pipeline('json-types')
  .source(
    kafkaSource({
      name: 'src',
      topic: 't',
      watermark: { maxOutOfOrdernessMs: 0, idlenessMs: 1 },
      eventTime: kafkaTime(),
    }),
  )
  .map('parse', (r): TickRow => JSON.parse(r.value) as TickRow);

// @ts-expect-error a Date becomes a string after JSON: not a step output
rows.map('date', (row) => ({ id: row.id, at: new Date(row.ts) }));

// @ts-expect-error a Date as the whole output, too
rows.map('bare-date', (row) => new Date(row.ts));

// @ts-expect-error a Map becomes {} after JSON
rows.map('map', (row) => new Map([[row.id, row.price]]));

// @ts-expect-error a Set nested in an array
rows.map('set', (row) => [new Set([row.id])]);

// @ts-expect-error a bigint has no JSON at all
rows.map('bigint', (row) => ({ id: row.id, big: BigInt(row.volume) }));

// @ts-expect-error a function-valued property vanishes in JSON
rows.map('fn-prop', (row) => ({ id: row.id, later: () => row.price }));

// @ts-expect-error a required property that may be undefined vanishes in JSON (declare it optional)
rows.map('maybe', (row): { id: string; note: string | undefined } => ({ id: row.id, note: undefined }));

// @ts-expect-error an array item that may be undefined becomes null in JSON
rows.map('holes', (row): (number | undefined)[] => [row.price, undefined]);

// @ts-expect-error flatMap items are outputs too
rows.flatMap('dates', (row) => [new Date(row.ts)]);

class Quote {
  constructor(readonly price: number) {}
  /** A method: the instance is not plain data. */
  doubled(): number {
    return this.price * 2;
  }
}
// @ts-expect-error a class instance with methods loses its prototype in JSON
rows.map('class', (row) => new Quote(row.price));

const windowed = rows.keyBy('by-symbol', (row) => row.symbol).window('w', tumbling(60_000));
windowed
  .accumulate({ fields: (f) => ({ n: f.count() }) })
  // @ts-expect-error a finish output is an output: no Date
  .finish((acc, w) => ({ n: acc.n, start: new Date(w.start) }));

// @ts-expect-error a first/last accumulator field crosses the wire as JSON: no Date
windowed.accumulate({ order: (row) => [row.ts], fields: (f) => ({ at: f.first((row) => new Date(row.ts)) }) });

// What passes: interfaces, optional properties (absent or undefined), nested plain data, literals,
// tuples, null, and a rejection beside the output.
interface Enriched {
  id: string;
  note?: string;
  tags: readonly string[];
  where: { venue: string | null; lot: [number, 'round' | 'odd'] };
}
rows
  .map('enrich', (row): Enriched | ReturnType<typeof reject> =>
    row.volume < 0
      ? reject('negative volume')
      : {
          id: row.id,
          ...(row.volume > 1000 ? { note: 'block' } : {}),
          tags: [row.symbol],
          where: { venue: null, lot: [row.volume, row.volume % 100 === 0 ? 'round' : 'odd'] },
        },
  )
  .map('optional-undefined', (e): { id: string; note?: string } => ({ id: e.id, note: undefined }))
  .sink('ok', clickhouseTable<{ id: string; note?: string }>('ok'));
