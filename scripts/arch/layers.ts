/**
 * The layer order of the code base, lowest first: the one place it is written down (docs/architecture.md
 * explains it). A file may import from its own module and from modules of lower layers; modules that
 * share a layer are peers and do not import each other. `layers.test.ts` checks the real import graph.
 */

/** A group of files that may import each other freely: every path starting with one of `paths`. */
export interface ArchModule {
  name: string;
  paths: readonly string[];
}

/** Modules on the same level; nothing below imports them. */
export interface Layer {
  name: string;
  modules: readonly ArchModule[];
}

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
      { name: 'pipeline', paths: ['pipeline/src/'] },
    ],
  },
  { name: 'Flink tooling', modules: [{ name: 'flink-tools', paths: ['flink/src/'] }] },
  {
    name: 'applications',
    modules: [
      { name: 'dashboard', paths: ['dashboard/src/'] },
      {
        name: 'workshop',
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

/** Where `@ticker/*` package specifiers point (their package.json `exports` resolve inside these folders). */
export const PACKAGE_ROOTS: Readonly<Record<string, string>> = {
  '@ticker/common': 'common/src/',
  '@ticker/producer': 'producer/src/',
  '@ticker/pipeline': 'pipeline/src/',
  '@ticker/flink-tools': 'flink/src/',
  '@ticker/dashboard': 'dashboard/src/',
};
