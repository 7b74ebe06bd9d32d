/**
 * Deliberately broken tick values, one kind per way real feeds go wrong.
 * Each is built from a real tick so it still carries a symbol (the Kafka key)
 * and, where the defect allows, the tick id.
 */
import type { Tick } from '@ticker/common';
import type { RandomStream } from './random';

/** The kinds of bad input the producer can mix in. */
export const DEFECTS = ['broken-json', 'missing-field', 'negative-price', 'wrong-type', 'bad-timestamp'] as const;
export type Defect = (typeof DEFECTS)[number];

const TICK_FIELDS = ['id', 'symbol', 'price', 'volume', 'ts'] as const;

/** Serialises a tick as the canonical value text (field order id, symbol, price, volume, ts). */
export function serializeTick(tick: Tick): string {
  const { id, symbol, price, volume, ts } = tick;
  // Fast path for the generator's ids: no character needs escaping (symbols and ts never do),
  // and numbers print the same way JSON.stringify prints them.
  if (JSON_SAFE_ID.test(id)) {
    return `{"id":"${id}","symbol":"${symbol}","price":${price},"volume":${volume},"ts":"${ts}"}`;
  }
  return JSON.stringify({ id, symbol, price, volume, ts });
}

const JSON_SAFE_ID = /^[A-Za-z0-9._:-]+$/;

/** Builds the raw value text of a malformed record with the given defect. */
export function malformedValue(base: Tick, defect: Defect, random: RandomStream): string {
  switch (defect) {
    case 'broken-json': {
      // A truncated object always has an unclosed brace, so it never parses.
      const text = serializeTick(base);
      return text.slice(0, random.int(1, text.length - 1));
    }
    case 'missing-field': {
      const dropped = TICK_FIELDS[random.int(0, TICK_FIELDS.length - 1)]!;
      const partial: Record<string, unknown> = { ...base };
      delete partial[dropped];
      return JSON.stringify(partial);
    }
    case 'negative-price':
      return JSON.stringify({ ...base, price: -base.price });
    case 'wrong-type': {
      const variant = random.int(0, 2);
      if (variant === 0) return JSON.stringify({ ...base, price: String(base.price) });
      if (variant === 1) return JSON.stringify({ ...base, volume: String(base.volume) });
      return JSON.stringify({ ...base, symbol: 42 });
    }
    case 'bad-timestamp': {
      const variant = random.int(0, 3);
      const epochMs = Date.parse(base.ts);
      if (variant === 0) return JSON.stringify({ ...base, ts: epochMs });
      if (variant === 1) return JSON.stringify({ ...base, ts: base.ts.replace(/\.\d{3}Z$/, 'Z') });
      if (variant === 2) return JSON.stringify({ ...base, ts: `${base.ts.slice(0, 5)}13${base.ts.slice(7)}` });
      return JSON.stringify({ ...base, ts: 'not-a-timestamp' });
    }
  }
}
