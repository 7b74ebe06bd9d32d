import { formatTickTs } from '@ticker/common';
import { describe, expect, it } from 'vitest';
import { TickTimestampFormatter } from '../src/timestamps';

describe('TickTimestampFormatter', () => {
  it('matches formatTickTs for every millisecond pattern, across seconds, backwards and before 1970', () => {
    const formatter = new TickTimestampFormatter();
    const base = Date.UTC(2026, 0, 5, 14, 30, 59, 0);
    const times = [
      ...Array.from({ length: 2100 }, (_, i) => base + i),
      base - 1,
      0,
      -1,
      -999,
      -1000,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
    ];
    for (const ms of times) expect(formatter.format(ms)).toBe(formatTickTs(ms));
  });
});
