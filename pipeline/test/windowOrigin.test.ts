/**
 * A fired window's origin, against the fixture the bridge's FiredAccumulatorTest reads too: the bridge
 * names the window on the FINISH input, the worker on the window's outputs and dead letters.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { windowOrigin } from '../src/runtime/window';

interface OriginCase {
  window: string;
  key: string;
  start: number;
  origin: string;
}

const fixture: { cases: OriginCase[] } = JSON.parse(
  readFileSync(new URL('../../common/fixtures/window-origin.json', import.meta.url), 'utf8'),
);

describe('windowOrigin', () => {
  it('gives the shared fixture origin for every case', () => {
    expect(fixture.cases.length).toBe(5);
    for (const c of fixture.cases) expect(windowOrigin(c.window, c.key, c.start), JSON.stringify(c)).toBe(c.origin);
  });
});
