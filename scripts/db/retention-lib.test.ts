import { describe, expect, it } from 'vitest';
import { partitionLastDay, retentionCutoff } from './retention-lib';

describe('partitionLastDay', () => {
  it('dates day and month partition ids by the last day they can hold', () => {
    expect(partitionLastDay('20261201')).toBe('2026-12-01');
    expect(partitionLastDay("'20261201'")).toBe('2026-12-01');
    expect(partitionLastDay('202612')).toBe('2026-12-31');
    expect(partitionLastDay('202402')).toBe('2024-02-29');
    expect(partitionLastDay('202302')).toBe('2023-02-28');
  });

  it('refuses ids that are not a real day or month', () => {
    expect(partitionLastDay('20261341')).toBeUndefined();
    expect(partitionLastDay('20260230')).toBeUndefined();
    expect(partitionLastDay('202613')).toBeUndefined();
    expect(partitionLastDay('tuple()')).toBeUndefined();
    expect(partitionLastDay('2026')).toBeUndefined();
  });
});

describe('retentionCutoff', () => {
  it('keeps today and the days before it, whatever the time of day', () => {
    expect(retentionCutoff(new Date('2026-03-15T00:00:00Z'), 1)).toBe('2026-03-15');
    expect(retentionCutoff(new Date('2026-03-15T23:59:59Z'), 7)).toBe('2026-03-09');
    expect(retentionCutoff(new Date('2026-03-01T12:00:00Z'), 2)).toBe('2026-02-28');
  });
});
