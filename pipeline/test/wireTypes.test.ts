/** The committed wire types are what the generator makes of today's .proto files, byte for byte. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GENERATED_DIR, generateWireTypes } from '../src/cli/protoTypes';

/** Every file under dir with its text, by path relative to dir. */
function tree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[relative(dir, path)] = readFileSync(path, 'utf8');
  }
  return files;
}

describe('generated wire types', () => {
  const fresh = mkdtempSync(join(tmpdir(), 'wire-types-'));
  afterAll(() => rmSync(fresh, { recursive: true, force: true }));

  it('match a fresh run of proto-loader-gen-types (run `npm run proto:types` after changing a .proto)', () => {
    generateWireTypes(fresh);
    const generated = tree(fresh);
    expect(Object.keys(generated)).toContain(join('ticker', 'worker', 'v2', 'ProcessRequest.ts'));
    expect(tree(GENERATED_DIR)).toEqual(generated);
  });
});
