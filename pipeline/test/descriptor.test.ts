import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@ticker/common';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/compiler/compile';
import { descriptorJsonSchemaText } from '../src/descriptor/jsonSchema';
import { descriptorSchema } from '../src/descriptor/schema';
import { buildStockPipeline } from '../src/stock';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const GOLDEN = join(here, 'stockPipeline.descriptor.golden.json');

describe('stock pipeline descriptor', () => {
  // Defaults only: the golden file must not depend on the environment running the test.
  const compiled = compile(buildStockPipeline(loadConfig({})));

  it('matches the golden file (UPDATE_GOLDEN=1 rewrites it)', () => {
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, compiled.descriptorJson);
    expect(compiled.descriptorJson).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('is valid for the zod schema and fuses parse-tick, to-tick-row and the by-symbol keyBy', () => {
    expect(descriptorSchema.parse(JSON.parse(compiled.descriptorJson))).toEqual(compiled.descriptor);
    const chains = compiled.descriptor.nodes.filter((n) => n.kind === 'chain').map((n) => n.name);
    expect(chains).toEqual(['parse-tick', 'price-move-alerts']);
    const parse = compiled.descriptor.nodes.find((n) => n.name === 'parse-tick');
    expect(parse?.kind === 'chain' && parse.steps.map((s) => s.name)).toEqual([
      'parse-tick',
      'to-tick-row',
      'by-symbol',
    ]);
    expect([...compiled.chains.keys()]).toEqual(chains);
    expect([...compiled.windows.keys()]).toEqual(['candles-1m']);
  });

  it('takes topic names from the config', () => {
    const custom = compile(buildStockPipeline(loadConfig({ TICKS_TOPIC: 'ticks-x', DLQ_TOPIC: 'dlq-x' }))).descriptor;
    expect(custom.source.topic).toBe('ticks-x');
    expect(custom.deadLetter.targets).toEqual([
      { type: 'clickhouse', table: 'dead_letters' },
      { type: 'kafka', topic: 'dlq-x' },
    ]);
  });

  it('is what `pipeline describe` prints, with a stable sha256', () => {
    const printed = execFileSync(
      process.execPath,
      [
        join(root, 'node_modules/tsx/dist/cli.mjs'),
        'pipeline/src/cli/main.ts',
        'describe',
        'pipeline/src/stock/stockPipeline.ts',
      ],
      { cwd: root, encoding: 'utf8', env: { ...process.env, TICKS_TOPIC: '', DLQ_TOPIC: '', INIT_CWD: root } },
    );
    expect(printed).toBe(compiled.descriptorJson);
    expect(compiled.descriptorSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(compile(buildStockPipeline(loadConfig({}))).descriptorSha256).toBe(compiled.descriptorSha256);
  }, 30_000);
});

describe('descriptor JSON Schema', () => {
  it('the committed pipeline/descriptor.schema.json equals the one generated from the zod schema', () => {
    const committed = JSON.parse(readFileSync(join(root, 'pipeline/descriptor.schema.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(descriptorJsonSchemaText()));
  });

  it('is draft-07 and closed (no unknown properties)', () => {
    const schema = JSON.parse(descriptorJsonSchemaText());
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['version', 'name', 'source', 'nodes', 'deadLetter', 'parallelism']);
  });
});
