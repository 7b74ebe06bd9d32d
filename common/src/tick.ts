/** The tick: the one schema every TS component uses to read or write a tick. */
import { z } from 'zod';

/** ISO-8601 UTC with exactly three fraction digits, e.g. 2026-11-21T09:30:00.125Z. */
export const TICK_TS_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A ticker symbol: upper case, starting with a letter, then letters, digits or dots, at most 10. */
export const SYMBOL_PATTERN = /^[A-Z][A-Z0-9.]{0,9}$/;

/** The symbol rule in words, for error messages (the tick's and the API's). */
export const SYMBOL_RULE = 'an upper-case ticker (A-Z, 0-9, ".", max 10)';

/** A UTF-16 code unit of a surrogate pair standing alone (a `u` regex reads a whole pair as one code point). */
const LONE_SURROGATE = /\p{Cs}/u;

/** Days of each month in a common year. */
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The digit at index i of s as a number (s has TICK_TS_PATTERN's shape, so it is one). */
const digit = (s: string, i: number) => s.charCodeAt(i) - 48;

/**
 * True when `new Date(s).toISOString() === s`, i.e. s is exactly how JavaScript writes a real UTC time.
 * The tick schema runs this for every tick, and building a Date costs about 0.6 µs, most of a tick's
 * validation; for a string of TICK_TS_PATTERN's shape the same answer comes from range checks on its
 * digits (common/test/tick.test.ts checks both ways agree over many strings). Anything else, which
 * the pattern rejects anyway, still goes through Date, so the answer stays identical.
 */
export function isCalendarTime(s: string): boolean {
  if (!TICK_TS_PATTERN.test(s)) {
    // An impossible date (month 13) is an Invalid Date, whose toISOString() throws: check it first.
    const date = new Date(s);
    return !Number.isNaN(date.getTime()) && date.toISOString() === s;
  }
  const year = digit(s, 0) * 1000 + digit(s, 1) * 100 + digit(s, 2) * 10 + digit(s, 3);
  const month = digit(s, 5) * 10 + digit(s, 6);
  const day = digit(s, 8) * 10 + digit(s, 9);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return false;
  // Hours 00-23, minutes and seconds 00-59 (24:00 and leap second 60 do not round-trip through Date).
  return digit(s, 11) * 10 + digit(s, 12) < 24 && digit(s, 14) < 6 && digit(s, 17) < 6;
}

export const tickSchema = z.object({
  id: z
    .string()
    .min(1, 'id must be a non-empty string')
    .max(128, 'id must be at most 128 characters')
    // A JSON escape can spell a lone surrogate, which no UTF-8 store (ClickHouse) can hold.
    .refine((s) => !LONE_SURROGATE.test(s), 'id must be well-formed Unicode (no lone surrogate)'),
  symbol: z.string().regex(SYMBOL_PATTERN, `symbol must be ${SYMBOL_RULE}`),
  price: z.number().positive('price must be > 0'),
  volume: z.number().int('volume must be an integer').nonnegative('volume must be >= 0'),
  ts: z
    .string()
    .regex(TICK_TS_PATTERN, 'ts must be ISO-8601 UTC with milliseconds (YYYY-MM-DDTHH:mm:ss.sssZ)')
    .refine(isCalendarTime, 'ts must be a real calendar time'),
});

export type Tick = z.infer<typeof tickSchema>;

export type TickParseResult = { ok: true; tick: Tick } | { ok: false; reason: string };

/** Parses raw Kafka value text into a tick, or says why it is not one. Never throws. */
export function parseTick(raw: string): TickParseResult {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    return { ok: false, reason: `invalid JSON: ${(err as Error).message}` };
  }
  const result = tickSchema.safeParse(json);
  if (result.success) return { ok: true, tick: result.data };
  return { ok: false, reason: describeIssues(result.error) };
}

/** One line naming each failing field, e.g. "price: price must be > 0; volume: required". */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const field = i.path.length > 0 ? i.path.join('.') : 'value';
      return `${field}: ${i.message}`;
    })
    .join('; ');
}

/** Formats epoch milliseconds as a tick timestamp. */
export function formatTickTs(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
