import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

describe('types flow step to step', () => {
  it('tsc rejects a pipeline that reads a field the previous step does not produce', () => {
    // A dot-directory: the repo-wide `tsc -p .` skips it, so only this test compiles the bad file.
    const dir = join(here, `.tsc-fixture-${process.pid}-${Date.now()}`);
    mkdirSync(dir);
    try {
      writeFileSync(join(dir, 'wrong-field.ts'), readFileSync(join(here, 'fixtures/wrong-field.ts.txt')));
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({ extends: '../../../tsconfig.json', include: ['wrong-field.ts'] }),
      );
      const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', dir], {
        encoding: 'utf8',
      });
      expect(tsc.status).toBe(2);
      const errors = tsc.stdout.split('\n').filter((l) => l.includes('error TS'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(
        "wrong-field.ts(7,27): error TS2551: Property 'pricee' does not exist on type '{ symbol: string; price: number; }'. Did you mean 'price'?",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
