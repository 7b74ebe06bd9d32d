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
    // An impossible date (month 13) is an Invalid Date, whose toISOString() throws: check it first.
    .refine((s) => {
      const date = new Date(s);
      return !Number.isNaN(date.getTime()) && date.toISOString() === s;
    }, 'ts must be a real calendar time'),
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
