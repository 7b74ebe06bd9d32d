/**
 * The deterministic tick generator. Same seed and options -> the same records,
 * byte for byte. The end-to-end suite imports this to regenerate what the
 * producer sent and compute the expected results.
 */
import { SYMBOL_PATTERN, SYMBOL_RULE, type Tick } from '@ticker/common';
import { DEFECTS, type Defect, malformedValue, serializeTick } from './malformed';
import { createStreams, type RandomStream } from './random';
import { DEFAULT_SYMBOLS, type SymbolSpec, specFor } from './symbols';
import { TickTimestampFormatter } from './timestamps';

/** Trading seconds in a year (252 days x 6.5 h): the unit the annualised drift and volatility refer to. */
export const SECONDS_PER_TRADING_YEAR = 252 * 6.5 * 3600;

/** Default start of event time: a Monday at the US open, so runs without --start-time are reproducible. */
export const DEFAULT_START_TIME_MS = Date.UTC(2026, 0, 5, 14, 30, 0, 0);

/** Default event-time rate: ticks per second of event time. */
export const DEFAULT_EVENT_RATE = 1000;

export interface GeneratorOptions {
  /** 32-bit unsigned seed; also the id prefix (`<seed>-<sequence>`). */
  seed: number;
  /** Ticker names (built-in parameters if known) or full specs. Default: AAPL, MSFT, GOOG, AMZN, TSLA, NVDA, META. */
  symbols?: readonly (string | SymbolSpec)[];
  /** Records to produce (valid + malformed). Omit for an endless stream. */
  count?: number;
  /** Fraction of records, 0..1, that are deliberately malformed. Default 0. */
  badRatio?: number;
  /** Event time of record 0, epoch ms. Default DEFAULT_START_TIME_MS. */
  startTimeMs?: number;
  /** Ticks per second of event time: record i is at startTimeMs + floor(i * 1000 / eventRate). Default 1000. */
  eventRate?: number;
  /**
   * Use this clock (epoch ms) for event time instead of the schedule above; the
   * live producer passes Date.now. Timestamps never go backwards.
   */
  clock?: () => number;
  /** Simulated market seconds per event-time second (speeds prices up). Default 1. */
  timeScale?: number;
}

interface RecordBase {
  /** Position in the stream, from 0; part of the id. */
  sequence: number;
  /** Kafka key: the symbol. */
  key: string;
  /** Kafka value text. */
  value: string;
  /** Event time, epoch ms: the Kafka record timestamp. */
  timestampMs: number;
}

/** A valid tick and its serialised form. */
export interface TickRecord extends RecordBase {
  kind: 'tick';
  tick: Tick;
}

/** A deliberately malformed value; `id` is the id it would have had (present in the value unless the defect removed it). */
export interface MalformedRecord extends RecordBase {
  kind: 'malformed';
  defect: Defect;
  id: string;
}

export type GeneratedRecord = TickRecord | MalformedRecord;

interface SymbolState {
  spec: SymbolSpec;
  /** Unrounded GBM price; the tick shows it rounded to cents. */
  price: number;
  /** Event time of this symbol's last tick, or undefined before its first. */
  lastMs: number | undefined;
}

/** Rounds to cents, never below one cent (a tick price must stay > 0). */
export function roundPrice(price: number): number {
  return Math.max(0.01, Math.round(price * 100) / 100);
}

/** One GBM step: S * exp((mu - sigma^2 / 2) dt + sigma sqrt(dt) z), dt in years. */
export function gbmStep(price: number, drift: number, volatility: number, dtYears: number, z: number): number {
  return price * Math.exp((drift - (volatility * volatility) / 2) * dtYears + volatility * Math.sqrt(dtYears) * z);
}

/** Share volume: mostly round lots of 100 with a heavy (Pareto) tail, sometimes an odd lot. */
export function drawVolume(random: RandomStream): number {
  if (random.uniform() < 0.08) return random.int(1, 99);
  const lots = Math.min(5000, Math.floor(random.pareto(1, 1.6)));
  return lots * 100;
}

/** Resolves and checks generator options; throws RangeError naming the bad option. */
function resolveSymbols(symbols: GeneratorOptions['symbols']): SymbolSpec[] {
  const list = (symbols ?? DEFAULT_SYMBOLS).map((s) => (typeof s === 'string' ? specFor(s) : { ...s }));
  if (list.length === 0) throw new RangeError('symbols must list at least one symbol');
  for (const spec of list) {
    if (!SYMBOL_PATTERN.test(spec.symbol)) {
      throw new RangeError(`symbol "${spec.symbol}" is not ${SYMBOL_RULE}`);
    }
    if (!(spec.initialPrice > 0) || !(spec.volatility >= 0) || !Number.isFinite(spec.drift)) {
      throw new RangeError(`symbol ${spec.symbol}: initialPrice must be > 0, volatility >= 0, drift finite`);
    }
  }
  return list;
}

/**
 * Generates records lazily. Deterministic unless `clock` is given. Options are
 * checked at the call (RangeError naming the option), not at the first next().
 */
export function generateTicks(options: GeneratorOptions): Generator<GeneratedRecord, void, undefined> {
  const { seed, count, clock } = options;
  const badRatio = options.badRatio ?? 0;
  const startTimeMs = options.startTimeMs ?? DEFAULT_START_TIME_MS;
  const eventRate = options.eventRate ?? DEFAULT_EVENT_RATE;
  const timeScale = options.timeScale ?? 1;
  if (!(eventRate > 0)) throw new RangeError(`eventRate must be > 0, got ${eventRate}`);
  if (!(timeScale > 0)) throw new RangeError(`timeScale must be > 0, got ${timeScale}`);
  if (count !== undefined && !(Number.isInteger(count) && count >= 0)) {
    throw new RangeError(`count must be a non-negative integer, got ${count}`);
  }
  const states: SymbolState[] = resolveSymbols(options.symbols).map((spec) => ({
    spec,
    price: spec.initialPrice,
    lastMs: undefined,
  }));
  // Separate streams so that, e.g., the bad-input decisions never shift the price path.
  const [symbolRandom, priceRandom, volumeRandom, badRandom] = createStreams(seed, 4) as [
    RandomStream,
    RandomStream,
    RandomStream,
    RandomStream,
  ];
  const msPerTick = 1000 / eventRate;
  const yearsPerMs = timeScale / 1000 / SECONDS_PER_TRADING_YEAR;
  const badSchedule = new BadInputSchedule(badRatio, badRandom);
  const formatTs = new TickTimestampFormatter();
  return produceRecords();

  function* produceRecords(): Generator<GeneratedRecord, void, undefined> {
    let lastTimestampMs = Number.NEGATIVE_INFINITY;
    for (let sequence = 0; count === undefined || sequence < count; sequence++) {
      const timestampMs = clock
        ? Math.max(lastTimestampMs, Math.floor(clock()))
        : startTimeMs + Math.floor(sequence * msPerTick);
      lastTimestampMs = timestampMs;
      const state = states[states.length === 1 ? 0 : symbolRandom.int(0, states.length - 1)]!;
      const symbol = state.spec.symbol;
      const id = `${seed}-${sequence}`;
      const ts = formatTs.format(timestampMs);

      if (badSchedule.next()) {
        // Malformed records leave the symbol's price path untouched.
        const base: Tick = { id, symbol, price: roundPrice(state.price), volume: drawVolume(badRandom), ts };
        const defect = DEFECTS[badRandom.int(0, DEFECTS.length - 1)]!;
        yield {
          kind: 'malformed',
          sequence,
          key: symbol,
          value: malformedValue(base, defect, badRandom),
          timestampMs,
          defect,
          id,
        };
        continue;
      }

      if (state.lastMs !== undefined) {
        const dtYears = (timestampMs - state.lastMs) * yearsPerMs;
        state.price = gbmStep(state.price, state.spec.drift, state.spec.volatility, dtYears, priceRandom.normal());
      }
      state.lastMs = timestampMs;
      const tick: Tick = { id, symbol, price: roundPrice(state.price), volume: drawVolume(volumeRandom), ts };
      yield { kind: 'tick', sequence, key: symbol, value: serializeTick(tick), timestampMs, tick };
    }
  }
}

/**
 * Decides which records are malformed: a seeded coin flip with probability
 * `ratio`, overruled when the running count would drift more than one record
 * from `ratio * n`, so the realised fraction tracks the ratio at every prefix.
 */
export class BadInputSchedule {
  private seen = 0;
  private bad = 0;

  constructor(
    private readonly ratio: number,
    private readonly random: RandomStream,
  ) {
    if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`badRatio must be between 0 and 1, got ${ratio}`);
  }

  /** Whether the next record is malformed (always draws once, so the stream stays aligned). */
  next(): boolean {
    const flip = this.random.uniform() < this.ratio;
    this.seen++;
    const target = this.seen * this.ratio;
    let decision = flip;
    if (flip && this.bad + 1 > target + 1) decision = false;
    else if (!flip && this.bad < target - 1) decision = true;
    if (decision) this.bad++;
    return decision;
  }
}
