/**
 * Row-set comparison that says which invariant broke and shows the first
 * differing rows, instead of a bare "expected false to be true".
 */

/** Raised when the pipeline's output differs from what the test computed. */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

type Row = Record<string, unknown>;
const asRow = (value: object): Row => value as Row;

/** Columns compared with a relative tolerance (float sums whose order of addition may differ). */
const FLOAT_COLUMNS = new Set(['vwap', 'move_pct']);
const RELATIVE_TOLERANCE = 1e-9;

function same(column: string, a: unknown, b: unknown): boolean {
  if (FLOAT_COLUMNS.has(column) && typeof a === 'number' && typeof b === 'number') {
    return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
  }
  return a === b;
}

function sameRow(expected: Row, actual: Row | undefined): boolean {
  if (actual === undefined) return false;
  return Object.keys(expected).every((column) => same(column, expected[column], actual[column]));
}

/**
 * Checks that `actual` equals `expected` row for row (both already sorted the same way,
 * compared on the expected rows' columns). `context` is appended to the message (e.g. log paths).
 */
export function assertSameRows(
  invariant: string,
  expectedRows: readonly object[],
  actualRows: readonly object[],
  context = '',
): void {
  const expected = expectedRows.map(asRow);
  const actual = actualRows.map(asRow);
  const firstDiff = expected.findIndex((row, i) => !sameRow(row, actual[i]));
  if (expected.length === actual.length && firstDiff === -1) return;
  const index = firstDiff === -1 ? expected.length : firstDiff;
  const show = (rows: readonly Row[]) =>
    rows
      .slice(index, index + 3)
      .map((r) => `    ${JSON.stringify(r)}`)
      .join('\n') || '    (none)';
  throw new InvariantError(
    `invariant "${invariant}" broke: expected ${expected.length} rows, got ${actual.length}; ` +
      `first difference at row ${index}\n  expected:\n${show(expected)}\n  actual:\n${show(actual)}` +
      (context ? `\n${context}` : ''),
  );
}
