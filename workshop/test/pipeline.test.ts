/**
 * workshop/pipeline.ts is the stock pipeline with the exercises in its two extension points. With
 * nothing plugged in it must be the stock pipeline exactly (same descriptor text, so the same
 * SHA-256): that is what lets module 3 swap the worker under the running stock job, and a savepoint
 * of it restore into the workshop's job. This fails if an extension point ever adds or moves a node.
 */
import { loadConfig } from '@ticker/common';
import { describe, expect, it } from 'vitest';
import { compile } from '../../pipeline/src/compiler/compile';
import { type WorkshopSteps, workshopPipeline } from '../pipeline';
import { compileStock, workshopTarget } from './target';

const nothing: WorkshopSteps = { addTickSteps: (rows) => rows, addSymbolWindows: () => {} };

describe('workshop/pipeline.ts', () => {
  it('with nothing plugged in, is the stock pipeline byte for byte', () => {
    const workshop = compile(workshopPipeline(nothing)(loadConfig({})));
    expect(workshop.descriptorJson).toBe(compileStock().descriptorJson);
    expect(workshop.descriptorSha256).toBe(compileStock().descriptorSha256);
  });

  it('follows the config like the stock pipeline (pipeline name, topics)', () => {
    const config = loadConfig({ PIPELINE_NAME: 'ws-x', TICKS_TOPIC: 'ws-x-ticks', DLQ_TOPIC: 'ws-x-dlq' });
    const d = compile(workshopPipeline(nothing)(config)).descriptor;
    expect([d.name, d.source.topic, d.deadLetter.targets]).toEqual([
      'ws-x',
      'ws-x-ticks',
      [
        { type: 'clickhouse', table: 'dead_letters' },
        { type: 'kafka', topic: 'ws-x-dlq' },
      ],
    ]);
  });

  it('WORKSHOP_TARGET selects exercise or solution, default solution, and refuses anything else', () => {
    expect(workshopTarget({})).toBe('solution');
    expect(workshopTarget({ WORKSHOP_TARGET: 'exercise' })).toBe('exercise');
    expect(() => workshopTarget({ WORKSHOP_TARGET: 'exercises' })).toThrow(
      'WORKSHOP_TARGET must be "exercise" or "solution", got "exercises"',
    );
  });
});
