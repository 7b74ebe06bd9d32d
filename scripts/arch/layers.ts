/**
 * The layer order of the code base, lowest first: the one place it is written down (docs/architecture.md
 * explains it). A file may import from its own module and from modules of lower layers; modules that
 * share a layer are peers and do not import each other. A module may have its own inner layers (the
 * folders of pipeline/src), checked the same way between its files. `layers.test.ts` checks the real
 * import graph.
 */

/** A group of files that may import each other freely: every path starting with one of `paths`. */
export interface ArchModule {
  name: string;
  paths: readonly string[];
  /** The module's own layer order, lowest first: its files follow it among themselves. */
  layers?: readonly Layer[];
  /**
   * Per module name (at any depth): the only files of it this module may import outside itself, its
   * public surface. Application code, for instance, imports only the public DSL of the pipeline.
   */
  only?: Readonly<Record<string, readonly string[]>>;
}

/** Modules on the same level; nothing below imports them. */
export interface Layer {
  name: string;
  modules: readonly ArchModule[];
}

/** The public DSL: what `@ticker/pipeline` exports, all that application code imports of the pipeline. */
const PUBLIC_DSL = 'pipeline/src/dsl/index.ts';

/**
 * The folders of pipeline/src, lowest first: the descriptor schema (the contract with the bridge), the
 * contract the DSL and the runtime both stand on, then the two of them, the compiler joining them, the
 * loader, the worker, the CLI; the stock application on top, which reads only the public DSL.
 */
export const PIPELINE_LAYERS: readonly Layer[] = [
  { name: 'descriptor', modules: [{ name: 'descriptor', paths: ['pipeline/src/descriptor/'] }] },
  { name: 'contract', modules: [{ name: 'contract', paths: ['pipeline/src/contract/'] }] },
  {
    name: 'definition and execution',
    modules: [
      { name: 'dsl', paths: ['pipeline/src/dsl/'] },
      { name: 'runtime', paths: ['pipeline/src/runtime/'] },
    ],
  },
  { name: 'compiler', modules: [{ name: 'compiler', paths: ['pipeline/src/compiler/'] }] },
  { name: 'loader', modules: [{ name: 'loader', paths: ['pipeline/src/loader/'] }] },
  { name: 'worker', modules: [{ name: 'worker', paths: ['pipeline/src/worker/'] }] },
  { name: 'cli', modules: [{ name: 'cli', paths: ['pipeline/src/cli/'] }] },
  {
    name: 'application',
    modules: [{ name: 'stock', paths: ['pipeline/src/stock/'], only: { pipeline: [PUBLIC_DSL] } }],
  },
];

/**
 * Lowest first. Test harnesses and fixtures sit above what they drive, benchmarks reuse them, and
 * test files sit on top of everything.
 */
export const LAYERS: readonly Layer[] = [
  { name: 'shared contract', modules: [{ name: 'common', paths: ['common/src/'] }] },
  {
    name: 'domain packages',
    modules: [
      { name: 'producer', paths: ['producer/src/'] },
      { name: 'pipeline', paths: ['pipeline/src/'], layers: PIPELINE_LAYERS },
    ],
  },
  {
    name: 'Flink tooling',
    modules: [
      { name: 'flink-tools', paths: ['flink/src/'], only: { pipeline: ['pipeline/src/descriptor/schema.ts'] } },
    ],
  },
  {
    name: 'applications',
    modules: [
      { name: 'dashboard', paths: ['dashboard/src/'] },
      {
        name: 'workshop',
        // The workshop extends the stock application through the public surfaces only.
        only: { pipeline: [PUBLIC_DSL, 'pipeline/src/stock/index.ts'] },
        paths: [
          'workshop/exercise.ts',
          'workshop/solution.ts',
          'workshop/pipeline.ts',
          'workshop/rows.ts',
          'workshop/exercises/',
          'workshop/solutions/',
          'workshop/tools/',
        ],
      },
      { name: 'images', paths: ['docker/'] },
    ],
  },
  {
    name: 'operations',
    modules: [
      {
        name: 'operations',
        paths: ['scripts/stack/', 'scripts/db/', 'scripts/compose-e2e/', 'scripts/arch/', 'scripts/demo.ts'],
      },
    ],
  },
  {
    name: 'test support',
    modules: [
      {
        name: 'test support',
        paths: [
          'common/test/',
          'producer/test/',
          'pipeline/test/',
          'flink/test/',
          'dashboard/test/',
          'workshop/test/',
          'test/',
        ],
      },
    ],
  },
  { name: 'benchmarks', modules: [{ name: 'benchmarks', paths: ['scripts/bench/', 'scripts/soak/'] }] },
  // Every `*.test.ts` file, wherever it lives: a test may import anything it tests or uses.
  { name: 'test files', modules: [{ name: 'test files', paths: [] }] },
];
