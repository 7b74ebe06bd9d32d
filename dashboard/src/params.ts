/**
 * The query parameters of every route, as zod schemas. A request whose
 * parameters fail gets 400 with a message naming the first bad parameter.
 */
import { z } from 'zod';

/** The tick schema's rule for symbols (common/src/tick.ts), with the API's wording. */
export const symbolParam = z
  .string({ error: 'must be given once, as an upper-case ticker' })
  .regex(/^[A-Z][A-Z0-9.]{0,9}$/, 'must be an upper-case ticker (A-Z, 0-9, ".", at most 10 characters)');

/** An optional integer parameter within [min, max], `fallback` when absent. */
function intParam(min: number, max: number, fallback: number) {
  return z
    .string({ error: `must be given once, as an integer from ${min} to ${max}` })
    .regex(/^\d{1,9}$/, `must be an integer from ${min} to ${max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, `must be an integer from ${min} to ${max}`)
        .max(max, `must be an integer from ${min} to ${max}`),
    )
    .optional()
    .transform((v) => v ?? fallback);
}

/** Optional end of the window: ISO-8601 UTC (e.g. 2026-01-05T14:30:00.000Z) or epoch milliseconds. */
const untilParam = z
  .string({ error: 'must be given once, as an ISO-8601 time or epoch milliseconds' })
  .transform((s, ctx) => {
    const ms = /^\d{1,15}$/.test(s) ? Number(s) : /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(s) ? Date.parse(s) : Number.NaN;
    if (Number.isNaN(ms)) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be an ISO-8601 UTC time (2026-01-05T14:30:00.000Z) or epoch milliseconds',
      });
      return z.NEVER;
    }
    return ms;
  })
  .optional();

/** Longest window any route accepts: one week. */
export const MAX_MINUTES = 7 * 24 * 60;

export const latestQuery = z.strictObject({});
export const historyQuery = z.strictObject({
  symbol: symbolParam,
  minutes: intParam(1, MAX_MINUTES, 15),
  limit: intParam(1, 20000, 5000),
  until: untilParam,
});
export const recentQuery = z.strictObject({ limit: intParam(1, 500, 25) });
export const statsQuery = z.strictObject({
  minutes: intParam(1, MAX_MINUTES, 5),
  until: untilParam,
});
export const candlesQuery = z.strictObject({
  symbol: symbolParam,
  minutes: intParam(1, MAX_MINUTES, 60),
  until: untilParam,
});
export const alertsQuery = z.strictObject({ limit: intParam(1, 200, 20) });
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
