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

  it('fails on an upward or sideways import between the folders of pipeline/src, and on application code past the public DSL', () => {
    const planted = [
      { path: 'pipeline/src/runtime/planted.ts', text: "import type { StepNode } from '../dsl/builder';\n" },
      { path: 'pipeline/src/dsl/planted.ts', text: "export { compile } from '../compiler/compile';\n" },
      { path: 'pipeline/src/contract/planted.ts', text: "import { runChain } from '../runtime/chain';\n" },
      { path: 'pipeline/src/worker/planted.ts', text: "import '../cli/main';\n" },
      {
        path: 'pipeline/src/stock/planted.ts',
        text: "import { formatClickHouseDateTime } from '../contract/deadLetter';\n",
      },
      {
        path: 'workshop/tools/fine.ts',
        text: "import { reject } from '../../pipeline/src/dsl/index';\nimport '@ticker/pipeline/stock';\n",
      },
      {
        path: 'workshop/solutions/planted.ts',
        text: "import { compile } from '../../pipeline/src/compiler/compile';\n",
      },
      {
        path: 'pipeline/src/stock/fine.ts',
        text: "import { reject } from '@ticker/pipeline';\nimport { ALERT_THRESHOLD_PCT } from './stockPipeline';\n",
      },
      {
        path: 'pipeline/src/compiler/fine.ts',
        text: "import { runChain } from '../runtime/chain';\nimport '../dsl';\n",
      },
    ];
    expect(checkLayers([...sources, ...planted]).map((v) => [v.from, v.why])).toEqual([
      ['pipeline/src/runtime/planted.ts', 'runtime imports its peer dsl (both definition and execution)'],
      ['pipeline/src/dsl/planted.ts', 'dsl (definition and execution) imports compiler, a higher layer (compiler)'],
      [
        'pipeline/src/contract/planted.ts',
        'contract (contract) imports runtime, a higher layer (definition and execution)',
      ],
      ['pipeline/src/worker/planted.ts', 'worker (worker) imports cli, a higher layer (cli)'],
      [
        'pipeline/src/stock/planted.ts',
        'stock imports pipeline/src/contract/deadLetter, not the public surface of pipeline (pipeline/src/dsl/index.ts)',
      ],
      [
        'workshop/solutions/planted.ts',
        'workshop imports pipeline/src/compiler/compile, not the public surface of pipeline (pipeline/src/dsl/index.ts, pipeline/src/stock/index.ts)',
      ],
    ]);
  });
});
