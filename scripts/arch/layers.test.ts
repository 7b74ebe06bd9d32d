/** The import graph follows the layer order in layers.ts, and the check catches an upward import. */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkLayers, repositorySources } from './import-graph';

const root = resolve(import.meta.dirname, '../..');

describe('the layer order', () => {
  const sources = repositorySources(root);

  it('reads the whole tree', () => {
    expect(sources.some((s) => s.path === 'pipeline/src/dsl/builder.ts')).toBe(true);
    expect(sources.some((s) => s.path === 'dashboard/src/server.ts')).toBe(true);
  });

  it('holds for every import in the repository', () => {
    expect(checkLayers(sources)).toEqual([]);
  });

  it('fails on a planted upward import, a peer import and an upward package import', () => {
    const planted = [
      { path: 'common/src/planted.ts', text: "import { pipeline } from '../../pipeline/src/dsl';\n" },
      { path: 'producer/src/planted.ts', text: "export { compile } from '../../pipeline/src/compiler/compile';\n" },
      { path: 'pipeline/src/planted.ts', text: "import type { Server } from '@ticker/dashboard/server';\n" },
      { path: 'workshop/tools/planted.ts', text: "import { DEFAULT_OPTIONS } from '../../scripts/demo';\n" },
      { path: 'pipeline/src/ok.ts', text: "import { z } from 'zod';\nimport { loadConfig } from '@ticker/common';\n" },
    ];
    expect(checkLayers([...sources, ...planted]).map((v) => [v.from, v.why])).toEqual([
      ['common/src/planted.ts', 'common (shared contract) imports pipeline, a higher layer (domain packages)'],
      ['producer/src/planted.ts', 'producer imports its peer pipeline (both domain packages)'],
      ['pipeline/src/planted.ts', 'pipeline (domain packages) imports dashboard, a higher layer (applications)'],
      ['workshop/tools/planted.ts', 'workshop (applications) imports operations, a higher layer (operations)'],
    ]);
  });
});
