/**
 * SQL literals for the dashboard's queries.
 *
 * ClickHouse 18.16 has no server-side query parameters (`{name:Type}` arrived
 * in 19.x; 18.16 answers "Unknown setting param_x"), so values are written into
 * the SQL text. That is safe here because every value is first validated by a
 * strict zod schema (tickers match ^[A-Z][A-Z0-9.]{0,9}$, numbers are safe
 * integers) and then written by these two functions, which escape or refuse
 * anything else. No other module builds SQL from input.
 */

/** A ClickHouse string literal: backslash and single quote escaped. */
export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A ClickHouse integer literal; refuses anything but a safe integer. */
export function sqlInt(value: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
  return String(value);
}
