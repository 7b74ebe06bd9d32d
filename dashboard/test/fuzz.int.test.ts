/**
 * The dashboard API fuzzed from its own OpenAPI document (issue 20), against real ClickHouse as the
 * read-only dashboard user: for every GET route the document lists, fast-check builds query strings
 * from each parameter's documented schema — values the schema allows, values it refuses (out of
 * range, not an integer, not matching the pattern, given twice, unknown names, missing required
 * ones, broken percent-encoding) — and checks that no answer is a 5xx, that a request whose
 * parameters are all allowed gets 200 (so a pattern looser than the server's check fails it), and
 * that any refused parameter gets a 400 naming one of the refused ones. Which values are refused comes from the document and the generators, never from
 * the server's code. Seeded, so a failure replays.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardServer } from '../src/server';
import { createTestDatabase, insertCandles, insertTicks, type TestDatabase } from './fixtures';
import { dashboardFor } from './server-helpers';

interface ParamSchema {
  type?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  example?: string;
}
interface Param {
  name: string;
  in: string;
  required?: boolean;
  schema: ParamSchema;
}
interface Doc {
  paths: Record<string, Record<string, { parameters?: Param[] }>>;
}

/** One query parameter as sent, and whether the document allows it. */
interface Part {
  name: string;
  /** The raw `name=value` text, already encoded. */
  text: string;
  /** Allowed by the document. */
  allowed: boolean;
}

const T = Date.parse('2026-01-05T09:30:00.000Z');
const enc = encodeURIComponent;

let db: TestDatabase;
let app: DashboardServer;
let doc: Doc;

beforeAll(async () => {
  db = await createTestDatabase('test_dashboard_fuzz');
  await insertTicks(db.admin, [
    { id: 'f1', symbol: 'AAPL', price: 100, volume: 10, ms: T },
    { id: 'f2', symbol: 'BRK.B', price: 400, volume: 0, ms: T + 30_000 },
  ]);
  await insertCandles(db.admin, [
    { symbol: 'AAPL', startMs: T, open: 100, high: 100, low: 100, close: 100, volume: 10, vwap: 100, ticks: 1 },
  ]);
  app = await dashboardFor(db);
  const res = await app.inject({ method: 'GET', url: '/api/openapi.json' });
  expect(res.statusCode).toBe(200);
  doc = res.json() as Doc;
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

/** Values the documented schema allows. */
function allowedValue(schema: ParamSchema): fc.Arbitrary<string> {
  if (schema.type === 'integer') {
    return fc.integer({ min: schema.minimum ?? 0, max: schema.maximum ?? 2 ** 31 - 1 }).map(String);
  }
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
  return fc.string();
}

/** Values the documented schema refuses. */
function refusedValue(schema: ParamSchema): fc.Arbitrary<string> {
  if (schema.type === 'integer') {
    const min = schema.minimum ?? 0;
    const max = schema.maximum ?? 2 ** 31 - 1;
    return fc.oneof(
      fc.integer({ min: -1_000_000, max: min - 1 }).map(String),
      fc.integer({ min: max + 1, max: max + 1_000_000 }).map(String),
      fc
        .double({ noNaN: true })
        .filter((d) => !Number.isInteger(d))
        .map(String),
      fc.constantFrom(
        '',
        'abc',
        '1e3',
        '0x10',
        ' 5',
        '5 ',
        '+5',
        '-0',
        'NaN',
        'Infinity',
        '99999999999999999999',
        '½',
        '٣',
      ),
      fc.string().filter((s) => !/^\d+$/.test(s)),
    );
  }
  if (schema.pattern) {
    const pattern = new RegExp(schema.pattern);
    return fc
      .oneof(
        fc.string(),
        fc.string({ unit: 'binary' }),
        fc.constantFrom(
          '',
          'aapl',
          'AAPL\n',
          ' AAPL',
          'ABCDEFGHIJK',
          '\u0000',
          '\uFEFFA',
          '\u202EA',
          '😀',
          "A'; DROP TABLE ticks; --",
          // Near misses of a time: impossible dates and fields, other ISO-8601 spellings, 16 digits.
          '2025-02-29T00:00:00Z',
          '2026-02-30T00:00:00Z',
          '2026-13-01T00:00:00Z',
          '2026-01-05T24:00:00Z',
          '2026-01-05T14:30:60Z',
          '2026-01-05T14:30:00.1234Z',
          '2026-01-05T14:30:00+00:00',
          '0000-00-00T0Z',
          '1234567890123456',
        ),
      )
      .filter((s) => !pattern.test(s));
  }
  return fc.constant('');
}

/** A part for one documented parameter: absent (when optional), allowed, or refused. */
function partFor(param: Param): fc.Arbitrary<Part | null> {
  const allowed = allowedValue(param.schema).map<Part>((v) => ({
    name: param.name,
    text: `${enc(param.name)}=${enc(v)}`,
    allowed: true,
  }));
  const refused = refusedValue(param.schema).map<Part>((v) => ({
    name: param.name,
    text: `${enc(param.name)}=${enc(v)}`,
    allowed: false,
  }));
  // Given twice (even with allowed values): the API takes each parameter once.
  const twice = fc.tuple(allowedValue(param.schema), allowedValue(param.schema)).map<Part>(([a, b]) => ({
    name: param.name,
    text: `${enc(param.name)}=${enc(a)}&${enc(param.name)}=${enc(b)}`,
    allowed: false,
  }));
  const options: fc.Arbitrary<Part | null>[] = [allowed, allowed, refused, twice];
  // Absent: fine when optional, a refusal naming it when required.
  options.push(
    param.required ? fc.constant<Part>({ name: param.name, text: '', allowed: false }) : fc.constant<Part | null>(null),
  );
  return fc.oneof(...options);
}

/** A parameter the route does not document (a name outside the document), or broken encoding. */
function strayPart(documented: Set<string>): fc.Arbitrary<Part> {
  const unknown = fc
    .oneof(fc.stringMatching(/^[a-z_]{1,12}$/), fc.constantFrom('__proto__', 'constructor', 'SYMBOL', 'limit[]', 'a.b'))
    .filter((name) => !documented.has(name))
    .chain((name) =>
      fc.string({ maxLength: 20 }).map<Part>((v) => ({ name, text: `${enc(name)}=${enc(v)}`, allowed: false })),
    );
  return unknown;
}

const routes = () =>
  Object.entries(doc.paths)
    .filter(([path, ops]) => ops.get !== undefined && path !== '/api/stream')
    .map(([path, ops]) => ({ path, params: (ops.get?.parameters ?? []).filter((p) => p.in === 'query') }));

describe('the dashboard API under generated parameters (real ClickHouse)', () => {
  it('lists the routes it fuzzes', () => {
    expect(routes().map((r) => r.path)).toEqual([
      '/api/latest',
      '/api/history',
      '/api/recent',
      '/api/stats',
      '/api/candles',
      '/api/alerts',
      '/api/health',
      '/api/openapi.json',
      '/healthz',
    ]);
  });

  it('no 5xx; all allowed → 200; anything refused → 400 naming a refused parameter', async () => {
    const tally = { ok: 0, badRequest: 0 };
    for (const route of routes()) {
      const documented = new Set(route.params.map((p) => p.name));
      const request = fc.tuple(
        fc.tuple(...route.params.map(partFor)),
        fc.oneof(fc.constant<Part[]>([]), fc.constant<Part[]>([]), fc.array(strayPart(documented), { maxLength: 2 })),
      );
      await fc.assert(
        fc.asyncProperty(request, async ([documentedParts, stray]) => {
          const parts = [...documentedParts, ...stray].filter((p): p is Part => p !== null);
          const query = parts
            .map((p) => p.text)
            .filter((t) => t !== '')
            .join('&');
          const url = query === '' ? route.path : `${route.path}?${query}`;
          const res = await app.inject({ method: 'GET', url });
          const refused = parts.filter((p) => p.allowed === false).map((p) => p.name);
          expect(res.statusCode, url).toBeLessThan(500);
          if (refused.length === 0) {
            expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
            tally.ok++;
          } else {
            expect(res.statusCode, url).toBe(400);
            const body = res.json() as { error: string; message: string; parameter: string };
            // The first bad parameter is named.
            expect(refused, `${url}: ${res.body}`).toContain(body.parameter);
            expect(body.error).toBe('Bad Request');
            expect(body.message.startsWith(`${body.parameter}: `), body.message).toBe(true);
            tally.badRequest++;
          }
        }),
        { seed: 2020, numRuns: route.params.length === 0 ? 40 : 150 },
      );
    }
    console.log(`[fuzz] dashboard API: ${tally.ok} allowed requests, ${tally.badRequest} refused, no 5xx`);
    expect(tally.ok).toBeGreaterThan(100);
    expect(tally.badRequest).toBeGreaterThan(300);
  });

  it('accepts every `until` its declared pattern admits, on each route that takes it', async () => {
    // The pattern is read from the document, so a document looser than the server's check fails here.
    let sent = 0;
    for (const route of routes()) {
      const until = route.params.find((p) => p.name === 'until');
      if (until === undefined) continue;
      const required = route.params.filter((p) => p.required).map((p) => `${p.name}=${enc(p.schema.example ?? '')}`);
      await fc.assert(
        fc.asyncProperty(allowedValue(until.schema), async (value) => {
          const url = `${route.path}?${[...required, `until=${enc(value)}`].join('&')}`;
          const res = await app.inject({ method: 'GET', url });
          expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
          sent++;
        }),
        { seed: 2020, numRuns: 200 },
      );
    }
    expect(sent).toBe(600);
  });

  it('broken percent-encoding and odd query strings get 400 or an answer, never a 5xx', async () => {
    const cases: [string, number][] = [
      ['/api/recent?limit=%ZZ', 400],
      ['/api/recent?limit=%E0%A4%A', 400],
      ['/api/recent?limit=%00', 400],
      ['/api/recent?%=1', 400],
      ['/api/recent?&&&', 200],
      ['/api/recent?=', 400],
      ['/api/recent?limit', 400],
      [`/api/recent?limit=${'9'.repeat(5000)}`, 400],
      [`/api/history?symbol=AAPL&${'x=1&'.repeat(500)}`, 400],
      ['/api/history?symbol=%41%41%50%4C', 200],
      ['/api/candles?symbol=AAPL&until=999999999999999', 200],
      ['/api/candles?symbol=AAPL&until=9999-12-31T23:59:59.999Z', 200],
      ['/api/stats?until=0', 200],
    ];
    const answers: [string, number][] = [];
    for (const [url] of cases) answers.push([url, (await app.inject({ method: 'GET', url })).statusCode]);
    expect(answers).toEqual(cases);
  });
});
