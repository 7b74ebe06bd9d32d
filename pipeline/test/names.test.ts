/**
 * One node-name rule: the DSL, the descriptor schema and the PIPELINE_NAME setting accept and refuse
 * exactly the same names (they once differed on "a--b", "a-" and length).
 */
import { loadConfig } from '@ticker/common';
import { describe, expect, it } from 'vitest';
import { stepSchema } from '../src/descriptor/schema';
import { Pipeline } from '../src/dsl/builder';

const cases: [string, boolean][] = [
  ['a', true],
  ['stock-ticks', true],
  ['candles-1m', true],
  ['a1-b2-c3', true],
  ['a'.repeat(63), true],
  ['a'.repeat(64), false],
  ['a--b', false],
  ['a-', false],
  ['-a', false],
  ['1a', false],
  ['Abc', false],
  ['a_b', false],
  // (An empty PIPELINE_NAME means unset, so the empty name is the DSL's and descriptor's case only.)
];

function acceptedBy(name: string) {
  const dsl = (() => {
    try {
      new Pipeline(name, 1);
      return true;
    } catch {
      return false;
    }
  })();
  const descriptor = stepSchema.safeParse({ name, kind: 'map' }).success;
  const setting = (() => {
    try {
      loadConfig({ PIPELINE_NAME: name });
      return true;
    } catch {
      return false;
    }
  })();
  return { dsl, descriptor, setting };
}

describe('the node-name rule', () => {
  it('refuses the empty name in the DSL and the descriptor', () => {
    expect(acceptedBy('')).toMatchObject({ dsl: false, descriptor: false });
  });

  it.each(cases)('%j accepted: %s, alike in the DSL, the descriptor and PIPELINE_NAME', (name, accepted) => {
    expect(acceptedBy(name)).toEqual({ dsl: accepted, descriptor: accepted, setting: accepted });
  });
});
