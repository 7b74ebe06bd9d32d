/**
 * The shared ts fixture (common/fixtures/tick-ts.json) against the zod tick schema. The bridge's
 * EventTimeReaderTest reads the same file, so the event time Flink assigns and the tick the worker
 * accepts follow one rule.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { tickSchema } from '../src/tick';

const fixtureSchema = z.object({
  accepted: z.array(z.object({ ts: z.string(), epochMs: z.number().int() })).min(1),
  refused: z.array(z.string()).min(1),
});
const fixture = fixtureSchema.parse(
  JSON.parse(readFileSync(new URL('../fixtures/tick-ts.json', import.meta.url), 'utf8')),
);
const tsSchema = tickSchema.shape.ts;

describe('tick ts fixture (shared with the bridge)', () => {
  it.each(fixture.accepted)('accepts $ts as epoch ms $epochMs', ({ ts, epochMs }) => {
    expect(tsSchema.safeParse(ts).success).toBe(true);
    expect(Date.parse(ts)).toBe(epochMs);
  });

  it.each(fixture.refused)('refuses %j', (ts) => {
    expect(tsSchema.safeParse(ts).success).toBe(false);
  });
});
