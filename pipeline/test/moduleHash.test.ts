import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { moduleContentVersion, moduleFiles } from '../src/loader/moduleHash';

describe('the default logic version: a hash of the module files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'module-hash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('follows relative imports (static, dynamic, re-exports, .js meaning .ts) and skips installed packages', () => {
    writeFileSync(
      join(dir, 'entry.ts'),
      [
        "import { a } from './a';",
        "import type { B } from './b.js';",
        "export * from './c';",
        "import { z } from 'zod';",
        "import 'node:fs';",
        "const d = await import('./d');",
      ].join('\n'),
    );
    writeFileSync(join(dir, 'a.ts'), "import { shared } from './shared';\nexport const a = 1;");
    writeFileSync(join(dir, 'b.ts'), 'export type B = 1;');
    writeFileSync(join(dir, 'c.ts'), "export { shared } from './shared';");
    writeFileSync(join(dir, 'd.ts'), 'export const d = 4;');
    writeFileSync(join(dir, 'shared.ts'), 'export const shared = 0.2;');
    const names = moduleFiles(join(dir, 'entry.ts')).map((f) => f.slice(f.lastIndexOf('/') + 1));
    expect(names.sort()).toEqual(['a.ts', 'b.ts', 'c.ts', 'd.ts', 'entry.ts', 'shared.ts']);
  });

  it('changes when any imported file changes, and only then', () => {
    const before = moduleContentVersion(join(dir, 'entry.ts'));
    expect(before).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(moduleContentVersion(join(dir, 'entry.ts'))).toBe(before);
    writeFileSync(join(dir, 'shared.ts'), 'export const shared = 0.05;');
    const after = moduleContentVersion(join(dir, 'entry.ts'));
    expect(after).not.toBe(before);
    writeFileSync(join(dir, 'shared.ts'), 'export const shared = 0.2;');
    expect(moduleContentVersion(join(dir, 'entry.ts'))).toBe(before);
  });
});
