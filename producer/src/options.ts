/**
 * CLI option rules: raw strings from commander in, checked settings out.
 * Every message starts with the option's flag so the user knows what to fix.
 */
import type { Config } from '@ticker/common';
import { tickSchema } from '@ticker/common';
import { z } from 'zod';
import type { Compression } from './publisher';
import { MAX_SEED } from './random';
import { DEFAULT_SYMBOLS } from './symbols';

/** Options exactly as commander hands them over (strings and booleans). */
export interface RawCliOptions {
  brokers?: string;
  topic?: string;
  symbols?: string;
  rate?: string;
  eventRate?: string;
  count?: string;
  duration?: string;
  seed?: string;
  replay?: string;
  badRatio?: string;
  startTime?: string;
  loop?: boolean;
  shiftToNow?: boolean;
  batchSize?: string;
  compression?: string;
  retries?: string;
  timeScale?: string;
  lanes?: string;
}

/** Event time: the wall clock (live demo) or a fixed schedule from a start time (tests, e2e). */
export type EventTimeSetting = { kind: 'wall-clock' } | { kind: 'scheduled'; startTimeMs: number; eventRate: number };

export interface ProducerSettings {
  brokers: string[];
  topic: string;
  symbols: string[];
  /** Records per second of wall clock; Infinity = as fast as possible. */
  rate: number;
  /** 'event-time' = send each record when the wall clock reaches its event time (replay shifted to now, no --rate). */
  pacing: 'rate' | 'event-time';
  count: number | undefined;
  durationMs: number | undefined;
  seed: number;
  /** Whether the seed was chosen at random (no --seed). */
  seedWasRandom: boolean;
  replay: string | undefined;
  badRatio: number;
  eventTime: EventTimeSetting;
  loop: boolean;
  shiftToNow: boolean;
  batchSize: number;
  compression: Compression;
  retries: number;
  /** Simulated market seconds per event-time second. */
  timeScale: number;
  /** Producer lanes (worker threads); 1 = send from the main thread. */
  lanes: number;
}

/** Bad command-line usage; the message names each offending option. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

export const DEFAULT_RATE = 100;
export const DEFAULT_BATCH_SIZE = 2000;
export const DEFAULT_RETRIES = 5;

const hostPort = /^[A-Za-z0-9.\-_]+:\d{1,5}$/;
const durationPattern = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const durationUnitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

const positiveNumber = (flag: string, what: string) =>
  z.string().transform((text, ctx) => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n <= 0) {
      ctx.addIssue({ code: 'custom', message: `${flag} must be ${what} (got "${text}")` });
      return z.NEVER;
    }
    return n;
  });

const integerIn = (flag: string, min: number, max: number) =>
  z.string().transform((text, ctx) => {
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `${flag} must be an integer from ${min} to ${max} (got "${text}")` });
      return z.NEVER;
    }
    return n;
  });

const optionsSchema = z.object({
  brokers: z.string().transform((text, ctx) => {
    const list = text
      .split(',')
      .map((b) => b.trim())
      .filter((b) => b !== '');
    const bad = list.filter((b) => !hostPort.test(b));
    if (list.length === 0 || bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `--brokers must be a comma-separated list of host:port (got "${text}")`,
      });
      return z.NEVER;
    }
    return list;
  }),
  topic: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, '--topic must be a valid Kafka topic name (A-Z a-z 0-9 . _ -)'),
  symbols: z.string().transform((text, ctx) => {
    const list = text
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const bad = list.filter((s) => !tickSchema.shape.symbol.safeParse(s).success);
    if (list.length === 0 || bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `--symbols must be comma-separated upper-case tickers like AAPL,MSFT (bad: "${bad.join(',') || text}")`,
      });
      return z.NEVER;
    }
    const duplicates = list.filter((s, i) => list.indexOf(s) !== i);
    if (duplicates.length > 0) {
      ctx.addIssue({ code: 'custom', message: `--symbols lists ${duplicates.join(',')} more than once` });
      return z.NEVER;
    }
    return list;
  }),
  rate: z.string().transform((text, ctx) => {
    const t = text.trim().toLowerCase();
    if (t === 'max' || t === '0') return Number.POSITIVE_INFINITY;
    const n = Number(t);
    if (t === '' || !Number.isFinite(n) || n <= 0) {
      ctx.addIssue({
        code: 'custom',
        message: `--rate must be a positive number of ticks per second, or 0/max for as fast as possible (got "${text}")`,
      });
      return z.NEVER;
    }
    return n;
  }),
  eventRate: positiveNumber('--event-rate', 'a positive number of ticks per second of event time').optional(),
  count: integerIn('--count', 1, Number.MAX_SAFE_INTEGER).optional(),
  duration: z
    .string()
    .transform((text, ctx) => {
      const match = durationPattern.exec(text.trim());
      const ms = match ? Number(match[1]) * durationUnitMs[match[2] ?? 's']! : Number.NaN;
      if (!(ms > 0)) {
        ctx.addIssue({
          code: 'custom',
          message: `--duration must be a positive time such as 30s, 5m, 1h, 500ms or plain seconds (got "${text}")`,
        });
        return z.NEVER;
      }
      return ms;
    })
    .optional(),
  seed: integerIn('--seed', 0, MAX_SEED).optional(),
  replay: z.string().min(1, '--replay needs a file path').optional(),
  badRatio: z
    .string()
    .transform((text, ctx) => {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
        ctx.addIssue({ code: 'custom', message: `--bad-ratio must be a number from 0 to 1 (got "${text}")` });
        return z.NEVER;
      }
      return n;
    })
    .optional(),
  startTime: z
    .string()
    .transform((text, ctx) => {
      const t = text.trim();
      const ms = /^\d+$/.test(t) ? Number(t) : /T.*(Z|[+-]\d{2}:?\d{2})$/.test(t) ? Date.parse(t) : Number.NaN;
      if (!Number.isFinite(ms) || ms < 0 || ms > Date.UTC(9999, 0, 1)) {
        ctx.addIssue({
          code: 'custom',
          message: `--start-time must be an ISO-8601 time with a zone (e.g. 2026-01-05T14:30:00.000Z) or epoch milliseconds (got "${text}")`,
        });
        return z.NEVER;
      }
      return ms;
    })
    .optional(),
  loop: z.boolean().optional(),
  shiftToNow: z.boolean().optional(),
  batchSize: integerIn('--batch-size', 1, 100_000).optional(),
  compression: z
    .enum(['none', 'gzip'], { error: (issue) => `--compression must be none or gzip (got "${String(issue.input)}")` })
    .optional(),
  retries: integerIn('--retries', 1, 100).optional(),
  lanes: integerIn('--lanes', 1, 8).optional(),
  timeScale: positiveNumber('--time-scale', 'a positive number of market seconds per event second').optional(),
});

/** Checks raw CLI options (with defaults from the environment config). Throws CliUsageError. */
export function resolveSettings(raw: RawCliOptions, config: Config, randomSeed: () => number): ProducerSettings {
  const withDefaults = {
    ...raw,
    brokers: raw.brokers ?? config.kafka.brokers.join(','),
    topic: raw.topic ?? config.kafka.ticksTopic,
    symbols: raw.symbols ?? DEFAULT_SYMBOLS.join(','),
    rate: raw.rate ?? String(DEFAULT_RATE),
  };
  const parsed = optionsSchema.safeParse(withDefaults);
  if (!parsed.success) {
    throw new CliUsageError(parsed.error.issues.map((i) => i.message).join('\n'));
  }
  const o = parsed.data;
  const conflicts: string[] = [];
  if (o.count !== undefined && o.duration !== undefined) conflicts.push('use either --count or --duration, not both');
  if (o.replay === undefined) {
    if (o.loop) conflicts.push('--loop only applies to --replay');
    if (o.shiftToNow) conflicts.push('--shift-to-now only applies to --replay');
  } else {
    if (o.startTime !== undefined) conflicts.push('--start-time cannot be used with --replay (use --shift-to-now)');
    if (raw.symbols !== undefined) conflicts.push('--symbols cannot be used with --replay (the file has the symbols)');
    if (o.timeScale !== undefined)
      conflicts.push('--time-scale cannot be used with --replay (the file has the prices)');
  }
  if (o.eventRate !== undefined && o.startTime === undefined) {
    conflicts.push('--event-rate needs --start-time (without it, event time is the wall clock)');
  }
  if (conflicts.length > 0) throw new CliUsageError(conflicts.join('\n'));

  const eventTime: EventTimeSetting =
    o.startTime === undefined
      ? { kind: 'wall-clock' }
      : {
          kind: 'scheduled',
          startTimeMs: o.startTime,
          eventRate: o.eventRate ?? (Number.isFinite(o.rate) ? o.rate : 1000),
        };
  return {
    brokers: o.brokers,
    topic: o.topic,
    symbols: o.symbols,
    rate: o.rate,
    pacing: o.replay !== undefined && o.shiftToNow === true && raw.rate === undefined ? 'event-time' : 'rate',
    count: o.count,
    durationMs: o.duration,
    seed: o.seed ?? randomSeed(),
    seedWasRandom: o.seed === undefined,
    replay: o.replay,
    badRatio: o.badRatio ?? 0,
    eventTime,
    loop: o.loop ?? false,
    shiftToNow: o.shiftToNow ?? false,
    batchSize: o.batchSize ?? DEFAULT_BATCH_SIZE,
    compression: o.compression ?? 'none',
    retries: o.retries ?? DEFAULT_RETRIES,
    timeScale: o.timeScale ?? 1,
    lanes: o.lanes ?? 1,
  };
}
