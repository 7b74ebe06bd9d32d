/** The loader's contract: a pipeline module's default export is a function of the config; importing it builds nothing. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '@ticker/common';
import { afterAll, describe, expect, it } from 'vitest';
import { DefinitionLoadError, loadPipeline } from '../src/loader/load';

const root = resolve(import.meta.dirname, '../..');
const dsl = JSON.stringify(join(root, 'pipeline/src/dsl/index.ts'));
const dir = mkdtempSync(join(tmpdir(), 'loader-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Statements that build a pipeline `p` reading the topic expression `topic`. */
const build = (topic: string) => `const p = pipeline('loaded');
p.source(kafkaSource({ name: 'read', topic: ${topic}, watermark: { maxOutOfOrdernessMs: 0, idlenessMs: 1 }, eventTime: kafkaTime() }))
  .map('up', (r) => r.value.toUpperCase())
  .sink('out', kafkaTopic('out'));
p.deadLetter('dead', [kafkaTopic('dead')]);`;

function module(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `import { definePipeline, kafkaSource, kafkaTime, kafkaTopic, pipeline } from ${dsl};\n${text}\n`,
  );
  return file;
}

describe('loadPipeline', () => {
  it('builds the stock pipeline from the config it is given', async () => {
    const config = loadConfig({ TICKS_TOPIC: 'loader-ticks', DLQ_TOPIC: 'loader-dlq', PIPELINE_NAME: 'loader-stock' });
    const { descriptor } = await loadPipeline(join(root, 'pipeline/src/stock/stockPipeline.ts'), config);
    expect(descriptor.name).toBe('loader-stock');
    expect(descriptor.source.topic).toBe('loader-ticks');
    expect(descriptor.deadLetter.targets).toEqual([
      { type: 'clickhouse', table: 'dead_letters' },
      { type: 'kafka', topic: 'loader-dlq' },
    ]);
  });

  it('passes the config to a definePipeline module', async () => {
    const file = module(
      'topic.ts',
      `export default definePipeline((config) => {\n${build('config.kafka.ticksTopic')}\nreturn p;\n});`,
    );
    const { descriptor } = await loadPipeline(file, loadConfig({ TICKS_TOPIC: 'from-config' }));
    expect(descriptor.source.topic).toBe('from-config');
  });

  it('refuses a module that exports a built pipeline instead of a function, naming the file', async () => {
    const file = module('built.ts', `${build("'in'")}\nexport default p;`);
    const err = await loadPipeline(file, loadConfig({})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DefinitionLoadError);
    expect((err as Error).message).toBe(
      `${file} must export a function from the config to the pipeline as its default export ` +
        `(export default definePipeline((config) => pipeline('name')...)), got object`,
    );
  });

  it('refuses a function that returns no pipeline', async () => {
    const file = module('empty.ts', 'export default definePipeline(() => undefined);');
    const err = await loadPipeline(file, loadConfig({})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DefinitionLoadError);
    expect((err as Error).message).toBe(
      `the default export of ${file} must return a pipeline (pipeline('name')...), returned undefined`,
    );
  });
});
