/**
 * The query parameters of every route, as zod schemas: they validate requests
 * (see `validatorCompiler`) and, turned into JSON Schema, document them in the
 * OpenAPI document. A request whose parameters fail gets 400 with a message
 * naming the first bad parameter.
 */
import { SYMBOL_PATTERN, SYMBOL_RULE } from '@ticker/common';
import type { FastifySchemaCompiler } from 'fastify';
import { z } from 'zod';

/** The tick schema's rule for symbols (common/src/tick.ts), with the API's wording. */
export const symbolParam = z
  .string({ error: 'must be given once, as an upper-case ticker' })
  .regex(SYMBOL_PATTERN, `must be ${SYMBOL_RULE}`)
  .meta({ description: 'Ticker symbol, upper case (e.g. AAPL, BRK.B).', example: 'AAPL' });

/** An optional integer parameter within [min, max], `fallback` when absent. */
function intParam(min: number, max: number, fallback: number, description: string) {
  const problem = `must be an integer from ${min} to ${max}`;
  return (
    z
      .string({ error: `must be given once, as an integer from ${min} to ${max}` })
      .transform((s, ctx) => {
        if (/^\d{1,9}$/.test(s)) return Number(s);
        ctx.addIssue({ code: 'custom', message: problem });
        return z.NEVER;
      })
      .pipe(z.number().min(min, problem).max(max, problem))
      .optional()
      .transform((v) => v ?? fallback)
      // The query string carries it as text; document it as the integer it stands for.
      .meta({ type: 'integer', minimum: min, maximum: max, description: `${description} Default ${fallback}.` })
  );
}

const untilProblem = 'must be an ISO-8601 UTC time (2026-01-05T14:30:00.000Z) or epoch milliseconds';

// Years whose February has 29 days: divisible by 4, centuries only when divisible by 400.
const LEAP_YEAR = '(?:\\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)';
// A month and a day that exist in every year: days 1–28 of any month, 29–30 outside February, 31 in long months.
const MONTH_DAY = '(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\\d|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)';
const ISO_UTC = `(?:\\d{4}-${MONTH_DAY}|${LEAP_YEAR}-02-29)T(?:[01]\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d(?:\\.\\d{1,3})?)?Z`;

/**
 * The one rule for `until`: epoch milliseconds (1–15 digits) or an ISO-8601 UTC time naming a real
 * calendar time (seconds and 1–3 fraction digits optional). The server checks this pattern and the
 * OpenAPI document declares it, so every string the document allows is read (never rolled over:
 * February 30 is refused, not taken as March 2).
 */
export const UNTIL_PATTERN = new RegExp(`^(?:\\d{1,15}|${ISO_UTC})$`);

/** Optional end of the window: ISO-8601 UTC (e.g. 2026-01-05T14:30:00.000Z) or epoch milliseconds. */
const untilParam = z
  .string({ error: 'must be given once, as an ISO-8601 time or epoch milliseconds' })
  .regex(UNTIL_PATTERN, untilProblem)
  // Date.parse reads every ISO string the pattern admits (params.test.ts checks it over generated ones).
  .transform((s) => (/^\d+$/.test(s) ? Number(s) : Date.parse(s)))
  .optional()
  .meta({
    description:
      'End of the window: ISO-8601 UTC (2026-01-05T14:30:00.000Z) or epoch milliseconds. Default: the newest tick time.',
  });

/** Longest window any route accepts: one week. */
export const MAX_MINUTES = 7 * 24 * 60;

const minutes = (fallback: number) => intParam(1, MAX_MINUTES, fallback, 'Length of the window in minutes.');

export const latestQuery = z.strictObject({});
export const historyQuery = z.strictObject({
  symbol: symbolParam,
  minutes: minutes(15),
  limit: intParam(1, 20000, 5000, 'At most this many points (the newest).'),
  until: untilParam,
});
export const recentQuery = z.strictObject({ limit: intParam(1, 500, 25, 'At most this many ticks.') });
export const statsQuery = z.strictObject({
  minutes: minutes(5),
  until: untilParam,
});
export const candlesQuery = z.strictObject({
  symbol: symbolParam,
  minutes: minutes(60),
  until: untilParam,
});
export const alertsQuery = z.strictObject({ limit: intParam(1, 200, 20, 'At most this many alerts.') });
export const noQuery = z.strictObject({});

export type HistoryQuery = z.infer<typeof historyQuery>;
export type StatsQuery = z.infer<typeof statsQuery>;
export type CandlesQuery = z.infer<typeof candlesQuery>;

/** A rejected parameter: the parameter's name and what is wrong with it. */
export class BadParameterError extends Error {
  override readonly name = 'BadParameterError';
  constructor(
    readonly parameter: string,
    readonly problem: string,
  ) {
    super(`${parameter}: ${problem}`);
  }
}

/** Validates a parsed query string against `schema`; throws BadParameterError naming the first bad parameter. */
export function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.infer<T> {
  const result = schema.safeParse(query ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue === undefined) throw new BadParameterError('query', 'is invalid');
  if (issue.code === 'unrecognized_keys') {
    const parameter = issue.keys[0] ?? 'query';
    throw new BadParameterError(parameter, 'is not a parameter of this route');
  }
  throw new BadParameterError(String(issue.path[0] ?? 'query'), issue.message);
}

/** Fastify's validator for zod route schemas: a failure is a BadParameterError (400 naming the parameter). */
export const validatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema }) =>
  (data) => {
    try {
      return { value: parseQuery(schema, data) };
    } catch (error) {
      if (error instanceof BadParameterError) return { error };
      throw error; // not the request's fault: Fastify answers 500
    }
  };
