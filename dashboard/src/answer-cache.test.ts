import { describe, expect, it } from 'vitest';
import { AnswerCache } from './answer-cache';

/** A cache on a hand-moved clock, and a loader that counts its calls and can be told to fail. */
function setup(ttlMs: number, staleMs: number) {
  let clock = 0;
  let calls = 0;
  let fail = false;
  const cache = new AnswerCache(ttlMs, staleMs, 1000, () => clock);
  const load = async () => {
    calls += 1;
    if (fail) throw new Error(`down ${calls}`);
    return calls;
  };
  return {
    get: () => cache.get('k', load),
    tick: (ms: number) => {
      clock += ms;
    },
    calls: () => calls,
    failFromNowOn: () => {
      fail = true;
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('AnswerCache', () => {
  it('shares one load between concurrent requests', async () => {
    const c = setup(0, 0);
    expect(await Promise.all([c.get(), c.get(), c.get()])).toEqual([1, 1, 1]);
    expect(c.calls()).toBe(1);
  });

  it('serves the answer for ttl, then the stale one while one refresh runs, then the new one', async () => {
    const c = setup(1000, 4000);
    expect(await c.get()).toBe(1);
    c.tick(999);
    expect(await c.get()).toBe(1);
    c.tick(2);
    // Stale: both get the old answer at once, and only one refresh starts.
    expect(await Promise.all([c.get(), c.get()])).toEqual([1, 1]);
    await settle();
    expect(await c.get()).toBe(2);
    expect(c.calls()).toBe(2);
  });

  it('loads anew (and waits) once the answer is older than ttl + stale', async () => {
    const c = setup(1000, 1000);
    expect(await c.get()).toBe(1);
    c.tick(2500);
    expect(await c.get()).toBe(2);
  });

  it('with ttl 0 only shares in-flight loads', async () => {
    const c = setup(0, 0);
    expect(await c.get()).toBe(1);
    expect(await c.get()).toBe(2);
  });

  it('drops the answer when a refresh fails, so the next request sees the error', async () => {
    const c = setup(1000, 4000);
    expect(await c.get()).toBe(1);
    c.tick(1500);
    c.failFromNowOn();
    expect(await c.get()).toBe(1); // stale answer while the refresh fails
    await settle();
    await expect(c.get()).rejects.toThrow('down 3');
  });

  it('keeps no failed load', async () => {
    const c = setup(1000, 4000);
    c.failFromNowOn();
    await expect(c.get()).rejects.toThrow('down 1');
    await expect(c.get()).rejects.toThrow('down 2');
  });
});
