/**
 * The Kafka fuzz scenario's input and its oracle (fuzz.e2e.test.ts). The input comes from a seeded
 * generator (fast-check's `sample`, so the same seed gives the same records on every run): valid
 * ticks with odd but legal values, every field wrong in many ways, wrong shapes, broken JSON, random
 * bytes, text that is not UTF-8, unicode edge cases, values up to the broker's message size, null and
 * empty values, null keys, deep nesting, huge numbers, ticks dated in the future.
 *
 * The oracle decides from the documented contract alone (DESIGN.md "Tick value", docs/pipeline.md
 * "The stock pipeline's logic" and "Event time"), never from tickSchema: a value is a tick when it is
 * UTF-8 JSON text of an object with `id` a string of 1 to 128 characters of well-formed Unicode, `symbol` an upper-case ticker
 * (A-Z first, then up to 9 of A-Z, 0-9 and "."), `price` a finite number > 0, `volume` an integer from
 * 0 to 2^53 − 1, and `ts` ISO-8601 UTC with milliseconds naming a real calendar time; a tick more than
 * 60 s ahead of the clock is a dead letter all the same.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { ForeignRecord } from '../support/foreign-producer';

/** A fixed past minute: every tick's event time is inside it, so none is late for its window. */
export const FUZZ_T0 = Date.UTC(2025, 10, 3, 10, 15, 0, 0);
const SEED = 20_2026;
const MAX_AHEAD_MS = 60_000;

/** One fuzz record and what the oracle expects of it. */
export interface FuzzRecord extends ForeignRecord {
  /** What it tries (for the report). */
  category: string;
}

/** Whether the documented contract makes `value` a valid tick (not counting the future rule). */
export function oracleTick(value: Buffer | null): { symbol: string; volume: number; id: string; tsMs: number } | null {
  if (value === null) return null;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(value);
  } catch {
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const t = json as Record<string, unknown>;
  const { id, symbol, price, volume, ts } = t;
  if (typeof id !== 'string' || id.length < 1 || id.length > 128 || hasLoneSurrogate(id)) return null;
  if (typeof symbol !== 'string' || !isTicker(symbol)) return null;
  if (typeof price !== 'number' || !Number.isFinite(price) || price <= 0) return null;
  if (typeof volume !== 'number' || !Number.isInteger(volume) || volume < 0 || volume > 2 ** 53 - 1) return null;
  if (typeof ts !== 'string') return null;
  const tsMs = calendarMs(ts);
  if (tsMs === null) return null;
  return { symbol, volume, id, tsMs };
}

/** Whether `s` holds a high surrogate without a low one after it, or a low one without a high one before. */
function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

/** A–Z first, then at most nine of A–Z, 0–9 and "." (checked by character code, no regex). */
function isTicker(s: string): boolean {
  if (s.length < 1 || s.length > 10) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const upper = c >= 65 && c <= 90;
    if (i === 0 ? !upper : !(upper || (c >= 48 && c <= 57) || c === 46)) return false;
  }
  return true;
}

/** `YYYY-MM-DDTHH:mm:ss.sssZ` naming a real UTC calendar time, as epoch ms; else null. */
function calendarMs(ts: string): number | null {
  if (ts.length !== 24) return null;
  const shape = 'dddd-dd-ddTdd:dd:dd.dddZ';
  for (let i = 0; i < shape.length; i++) {
    const c = ts[i]!;
    if (shape[i] === 'd' ? !(c >= '0' && c <= '9') : c !== shape[i]) return null;
  }
  const n = (from: number, to: number) => Number(ts.slice(from, to));
  const [year, month, day, hour, minute, second, ms] = [
    n(0, 4),
    n(5, 7),
    n(8, 10),
    n(11, 13),
    n(14, 16),
    n(17, 19),
    n(20, 23),
  ];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (days === undefined || day < 1 || day > days || hour > 23 || minute > 59 || second > 59) return null;
  // Days since the epoch by the civil-from-days rule (no Date parsing involved).
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const epochDays = era * 146_097 + doe - 719_468;
  return ((epochDays * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + ms;
}

/** What the oracle expects of the whole input at clock time `nowMs`. */
export interface FuzzExpectation {
  /** Ids of the valid ticks (each written once to `ticks`). */
  tickIds: string[];
  /** Valid ticks per symbol (each symbol's candle counts these). */
  ticksPerSymbol: Map<string, number>;
  /** Dead letters: the sha256 hex of each refused value (null and empty values hash the empty input), sorted. */
  deadLetterSha256: string[];
  /** Ticks dated more than maxAheadMs ahead: dead letters of the source step. */
  future: number;
}

/** Applies the oracle to every record. */
export function expectFrom(records: readonly FuzzRecord[], nowMs: number): FuzzExpectation {
  const tickIds: string[] = [];
  const ticksPerSymbol = new Map<string, number>();
  const deadLetterSha256: string[] = [];
  let future = 0;
  for (const r of records) {
    const bytes = r.value === null ? null : Buffer.from(r.value);
    const tick = oracleTick(bytes);
    if (tick && tick.tsMs <= nowMs + MAX_AHEAD_MS) {
      tickIds.push(tick.id);
      ticksPerSymbol.set(tick.symbol, (ticksPerSymbol.get(tick.symbol) ?? 0) + 1);
      continue;
    }
    if (tick) future++;
    deadLetterSha256.push(
      createHash('sha256')
        .update(bytes ?? Buffer.alloc(0))
        .digest('hex'),
    );
  }
  return { tickIds: tickIds.sort(), ticksPerSymbol, deadLetterSha256: deadLetterSha256.sort(), future };
}

const SYMBOLS = ['AAPL', 'BRK.B', 'Z', 'A1.2.3.4.5', 'MSFT'];

/** JSON text with every non-ASCII character as a \\u escape (lone surrogates included). */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Deterministic draws from an arbitrary: `count` values for this seed and salt. */
function draw<T>(arb: fc.Arbitrary<T>, count: number, salt: number): T[] {
  return fc.sample(arb, { seed: SEED + salt, numRuns: count });
}

/** Builds the input. `messageBytes`: the broker's limit; `nowMs` dates the future ticks. */
export function fuzzInput(messageBytes: number, nowMs: number): FuzzRecord[] {
  const out: FuzzRecord[] = [];
  let n = 0;
  const nextId = () => `fz-${n++}`;
  const add = (category: string, key: string | null, value: string | Buffer | null) =>
    out.push({ category, key, value });
  const tsAt = (offsetMs: number) => new Date(FUZZ_T0 + offsetMs).toISOString();
  const tick = (fields: Record<string, unknown> = {}) => ({
    id: nextId(),
    symbol: 'AAPL',
    price: 100,
    volume: 10,
    ts: tsAt(n * 7),
    ...fields,
  });
  const text = (o: unknown) => JSON.stringify(o);

  // Valid ticks with random legal values, keys null, empty or the symbol.
  const valid = fc.record({
    symbol: fc.constantFrom(...SYMBOLS),
    price: fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
    volume: fc.integer({ min: 0, max: 10_000_000 }),
    at: fc.integer({ min: 0, max: 59_999 }),
    key: fc.constantFrom<'symbol' | 'null' | 'empty'>('symbol', 'symbol', 'null', 'empty'),
  });
  for (const v of draw(valid, 400, 1)) {
    const key = v.key === 'symbol' ? v.symbol : v.key === 'null' ? null : '';
    add(
      `valid tick (key ${v.key})`,
      key,
      text({ id: nextId(), symbol: v.symbol, price: v.price, volume: v.volume, ts: tsAt(v.at) }),
    );
  }

  // Unicode edge cases in the id (valid) and in the symbol (invalid), as JSON escapes and as raw UTF-8.
  const oddText = [
    '\u0000',
    '\uFEFF',
    '\u202Eevil',
    'שלום',
    '😀👩‍👩‍👧',
    'e\u0301',
    '\uD800',
    '\uDC00x',
    '\uFFFF',
    '\u2028\u2029',
    'ＡＡＰＬ',
    '"\\/\b\f\n\r\t',
  ];
  for (const s of oddText) {
    add('unicode id, raw UTF-8 (valid)', 'AAPL', text(tick({ id: `${nextId()}${s}` })));
    add('unicode id, \\u escapes (valid)', 'AAPL', asciiJson(tick({ id: `${nextId()}${s}` })));
    add('unicode symbol', 'AAPL', text(tick({ symbol: `A${s}` })));
    add('unicode key', s.replace(/[\t\r\n]/g, ''), text(tick()));
  }
  add('BOM before the JSON', 'AAPL', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text(tick()))]));
  add('whitespace around the JSON (valid)', 'AAPL', ` \n\t${text(tick())}\r\n `);

  // Every field wrong, one at a time (the rest valid).
  const wrong: Record<string, unknown[]> = {
    id: [undefined, '', 'x'.repeat(129), 42, null, ['a'], { a: 1 }, true],
    symbol: [undefined, '', 'aapl', 'AAPL\n', 'ABCDEFGHIJK', '1AB', '.A', 'Ä', 'A B', 'A-B', 7, null],
    price: [undefined, 0, -1, -0, '100', null, [], true, 'NaN'],
    volume: [undefined, -1, 1.5, 2 ** 53, 1e20, '1', null, -0.5, 1e-7],
    ts: [
      undefined,
      '2025-13-03T10:15:00.000Z',
      '2025-02-29T10:15:00.000Z',
      '2025-11-31T10:15:00.000Z',
      '2025-11-03T24:00:00.000Z',
      '2025-11-03T10:60:00.000Z',
      '2025-11-03T10:15:60.000Z',
      '2025-11-03T10:15:00Z',
      '2025-11-03T10:15:00.00Z',
      '2025-11-03T10:15:00.0000Z',
      '2025-11-03T10:15:00.000z',
      '2025-11-03T10:15:00.000+00:00',
      '2025-11-03 10:15:00.000Z',
      ' 2025-11-03T10:15:00.000Z',
      '2025-11-03T10:15:00.000Z\n',
      '+02025-11-03T10:15:00.000Z',
      FUZZ_T0,
      null,
      '',
    ],
  };
  for (const [field, values] of Object.entries(wrong)) {
    for (const v of values) {
      const t: Record<string, unknown> = tick();
      if (v === undefined) delete t[field];
      else t[field] = v;
      add(`wrong ${field}`, 'AAPL', text(t));
    }
  }
  // Odd but legal numbers (valid), written as JSON text.
  const base = () => `"id":"${nextId()}","symbol":"Z","ts":"${tsAt(1000)}"`;
  for (const [price, volume] of [
    ['5e-324', '0'],
    ['1e308', '1'],
    ['1E2', '1.0'],
    ['0.1', '9007199254740991'],
    ['100.000000000000000000000001', '1e2'],
    ['123456789012345678901234567890', '0'],
  ]) {
    add('odd legal numbers (valid)', 'Z', `{${base()},"price":${price},"volume":${volume}}`);
  }
  // Numbers too large or too long for a double.
  add('price of 400 digits (infinite)', 'Z', `{${base()},"price":1${'0'.repeat(400)},"volume":1}`);
  add('volume of 2000 digits', 'Z', `{${base()},"price":1,"volume":1${'0'.repeat(2000)}}`);
  add('price 1e400 (infinite)', 'Z', `{${base()},"price":1e400,"volume":1}`);
  add('price 1e-400 (zero)', 'Z', `{${base()},"price":1e-400,"volume":1}`);

  // Wrong shapes: random JSON values (ids and times removed, so no random value reads as a tick time).
  for (const v of draw(fc.jsonValue({ maxDepth: 4 }), 200, 2)) {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      delete o.ts;
      o.id = nextId();
    }
    add('random JSON value', 'AAPL', text(v) ?? 'null');
  }
  for (const v of ['[]', '{}', 'null', 'true', '0', '"tick"', text([tick()]), text({ tick: tick() })]) {
    add('wrong shape', 'AAPL', v);
  }

  // Broken JSON: valid ticks cut short, with garbage after, and text that only looks like JSON.
  for (const cut of draw(fc.integer({ min: 1, max: 80 }), 100, 3)) {
    add('truncated tick', 'AAPL', text(tick()).slice(0, cut));
  }
  for (const v of [
    `${text(tick())}x`,
    `${text(tick())}${text(tick())}`,
    `{'id':'${nextId()}'}`,
    '{"price":NaN}',
    '{"price":Infinity}',
    '/* c */{}',
    '{"a":1,}',
    '\u0000',
    `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
    `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`,
  ]) {
    add('broken JSON', 'AAPL', v);
  }
  for (const s of draw(fc.string({ maxLength: 200, unit: 'binary' }), 100, 4)) add('random text', 'AAPL', s);

  // Random bytes, and bytes that are not UTF-8 inside an otherwise valid tick.
  for (const b of draw(fc.uint8Array({ maxLength: 512 }), 200, 5)) add('random bytes', null, Buffer.from(b));
  for (const bad of [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0x80]]) {
    const t = text(tick());
    const at = t.indexOf('","symbol"');
    add(
      'not UTF-8 inside a tick',
      'AAPL',
      Buffer.concat([Buffer.from(t.slice(0, at)), Buffer.from(bad), Buffer.from(t.slice(at))]),
    );
  }

  // Null and empty values, null keys.
  for (let i = 0; i < 10; i++) add('null value', i % 2 ? null : 'AAPL', null);
  for (let i = 0; i < 10; i++) add('empty value', i % 2 ? null : '', '');

  // Ticks from the future: more than 60 s ahead of the clock, refused by the source step.
  for (const ts of [
    new Date(nowMs + 86_400_000).toISOString(),
    '2999-12-31T23:59:59.999Z',
    '9999-12-31T23:59:59.999Z',
  ]) {
    add('tick from the future', 'AAPL', text(tick({ ts })));
  }

  // Values up to the broker's message size (minus room for the record and batch headers).
  const big = messageBytes - 512;
  const padded = (fields: Record<string, unknown>) => {
    const head = text({ ...tick(fields), pad: '' });
    return `${head.slice(0, -2)}${'p'.repeat(big - head.length)}"}`;
  };
  add('largest valid tick (extra field)', 'AAPL', padded({}));
  add('largest invalid tick', 'AAPL', padded({ price: -1 }));
  const noise = draw(fc.uint8Array({ minLength: 4096, maxLength: 4096 }), 1, 6)[0] ?? new Uint8Array(4096);
  add('largest random bytes', 'AAPL', Buffer.alloc(big, Buffer.from(noise)));
  return out;
}
