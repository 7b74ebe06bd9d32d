/**
 * Replay: publish ticks read from a JSONL or CSV file instead of generating
 * them, optionally looping and time-shifting so the first tick is "now".
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { describeIssues, formatTickTs, parseTick, type Tick, tickSchema } from '@ticker/common';
import { parse as parseCsv } from 'csv-parse/sync';
import { BadInputSchedule, type GeneratedRecord } from './generator';
import { DEFECTS, malformedValue, serializeTick } from './malformed';
import { createStreams, type RandomStream } from './random';

/** A replay file that cannot be used; the message names the file, line and reason. */
export class ReplayFileError extends Error {
  override readonly name = 'ReplayFileError';
}

const CSV_COLUMNS = ['symbol', 'price', 'volume', 'ts'] as const;
const MAX_REPORTED_PROBLEMS = 5;

/** Reads and validates every tick of a .jsonl/.ndjson or .csv file. Throws ReplayFileError listing bad lines. */
export async function readReplayFile(path: string): Promise<Tick[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ReplayFileError(`cannot read replay file ${path}: ${(err as Error).message}`);
  }
  const extension = extname(path).toLowerCase();
  let parsed: { ticks: Tick[]; problems: string[] };
  if (extension === '.csv') parsed = parseCsvTicks(text, path);
  else if (extension === '.jsonl' || extension === '.ndjson' || extension === '.json') parsed = parseJsonlTicks(text);
  else throw new ReplayFileError(`replay file ${path} must end in .jsonl, .ndjson or .csv`);

  if (parsed.problems.length > 0) {
    const shown = parsed.problems.slice(0, MAX_REPORTED_PROBLEMS).map((p) => `  ${path}:${p}`);
    const more = parsed.problems.length - shown.length;
    throw new ReplayFileError(
      `replay file has ${parsed.problems.length} invalid line(s); nothing was sent:\n${shown.join('\n')}${
        more > 0 ? `\n  ... and ${more} more` : ''
      }`,
    );
  }
  if (parsed.ticks.length === 0) throw new ReplayFileError(`replay file ${path} has no ticks`);
  return parsed.ticks;
}

function parseJsonlTicks(text: string): { ticks: Tick[]; problems: string[] } {
  const ticks: Tick[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '') return;
    const result = parseTick(line);
    if (result.ok) ticks.push(result.tick);
    else problems.push(`${index + 1}: ${result.reason}`);
  });
  return { ticks, problems };
}

function parseCsvTicks(text: string, path: string): { ticks: Tick[]; problems: string[] } {
  let rows: string[][];
  try {
    // Each row is prefixed with its line number so problems can point at it.
    rows = parseCsv(text, {
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      on_record: (record: string[], context) => [String(context.lines), ...record],
    });
  } catch (err) {
    throw new ReplayFileError(`cannot parse CSV ${path}: ${(err as Error).message}`);
  }
  const [header, ...body] = rows;
  if (!header) return { ticks: [], problems: [] };
  const columns = header.slice(1).map((c) => c.toLowerCase());
  const missing = CSV_COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    throw new ReplayFileError(
      `CSV ${path} header must name the columns symbol, price, volume, ts (and optionally id); missing: ${missing.join(', ')}`,
    );
  }
  const idPrefix = basename(path, extname(path)).replace(/[^A-Za-z0-9._-]/g, '_');
  const ticks: Tick[] = [];
  const problems: string[] = [];
  for (const row of body) {
    const line = row[0]!;
    const field = (name: string): string | undefined => {
      const at = columns.indexOf(name);
      return at < 0 ? undefined : row[at + 1];
    };
    const candidate = {
      id: field('id') || `${idPrefix}-${line}`,
      symbol: field('symbol'),
      price: numberOrText(field('price')),
      volume: numberOrText(field('volume')),
      ts: field('ts'),
    };
    const result = tickSchema.safeParse(candidate);
    if (result.success) ticks.push(result.data);
    else problems.push(`${line}: ${describeIssues(result.error)}`);
  }
  return { ticks, problems };
}

/** CSV cells are text; a numeric cell becomes a number, anything else stays text so the schema names it. */
function numberOrText(cell: string | undefined): number | string | undefined {
  if (cell === undefined || cell === '') return undefined;
  const n = Number(cell);
  return Number.isFinite(n) ? n : cell;
}

export interface ReplayOptions {
  /** Start again from the top when the file is done (new ids per pass: `<id>-r<pass>`). */
  loop?: boolean;
  /** Shift event times so the first tick is at this epoch ms (keeping spacing). */
  shiftToMs?: number;
  /** Stop after this many records. */
  count?: number;
  /** Fraction 0..1 of replayed ticks replaced by malformed versions of themselves. */
  badRatio?: number;
  /** Seed for the bad-input choices. */
  seed?: number;
}

/**
 * Turns file ticks into records. Passes after the first are moved later by
 * the file's time span plus one typical gap, so event time keeps advancing.
 */
export function* replayRecords(ticks: readonly Tick[], options: ReplayOptions = {}): Generator<GeneratedRecord> {
  if (ticks.length === 0) return;
  const times = ticks.map((t) => Date.parse(t.ts));
  const first = times[0]!;
  const span = Math.max(...times) - Math.min(...times);
  const gap = ticks.length > 1 ? Math.max(1, Math.round(span / (ticks.length - 1))) : 1000;
  const shift = options.shiftToMs === undefined ? 0 : options.shiftToMs - first;
  const [badRandom] = createStreams(options.seed ?? 0, 1) as [RandomStream];
  const badSchedule = new BadInputSchedule(options.badRatio ?? 0, badRandom);
  let sequence = 0;
  for (let pass = 0; pass === 0 || options.loop; pass++) {
    const passOffset = shift + pass * (span + gap);
    for (let i = 0; i < ticks.length; i++) {
      if (options.count !== undefined && sequence >= options.count) return;
      const original = ticks[i]!;
      const timestampMs = times[i]! + passOffset;
      const tick: Tick = {
        ...original,
        id: pass === 0 ? original.id : `${original.id}-r${pass}`,
        ts: passOffset === 0 ? original.ts : formatTickTs(timestampMs),
      };
      if (badSchedule.next()) {
        const defect = DEFECTS[badRandom.int(0, DEFECTS.length - 1)]!;
        const value = malformedValue(tick, defect, badRandom);
        yield { kind: 'malformed', sequence, key: tick.symbol, value, timestampMs, defect, id: tick.id };
      } else {
        yield { kind: 'tick', sequence, key: tick.symbol, value: serializeTick(tick), timestampMs, tick };
      }
      sequence++;
    }
  }
}
