import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs nothing running; `integration` runs against the real
// local stack (Kafka, Flink, ClickHouse), which its global setup starts if needed.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // Projects run one after the other (unit, integration, e2e): the e2e suite kills and
          // restarts stack processes, which must not happen under another project's tests.
          sequence: { groupOrder: 0 },
          // Some unit tests generate or check many thousands of ticks: generous on a busy 2-core CI box.
          testTimeout: 30_000,
          include: ['{common,producer,pipeline,flink,dashboard,scripts,workshop}/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/*.int.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['**/*.int.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/node_modules/**', '.stack/**', '**/target/**', 'test/e2e/**'],
          // Starts the local stack unless it is already healthy (test/setup/global-setup.ts).
          globalSetup: ['test/setup/global-setup.ts'],
          // Replaces a TaskManager an earlier file lost (test/setup/flink-check.ts).
          setupFiles: ['test/setup/flink-check.ts'],
          // Real services: a Flink job or a Kafka consumer group can take many seconds.
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // Two cores and shared services: one integration file at a time.
          fileParallelism: false,
          maxWorkers: 1,
        },
      },
      {
        test: {
          name: 'e2e',
          sequence: { groupOrder: 2 },
          // The end-to-end suite: the whole pipeline on the local stack, faults included (test/e2e/).
          include: ['test/e2e/**/*.e2e.test.ts'],
          globalSetup: ['test/setup/global-setup.ts'],
          setupFiles: ['test/setup/flink-check.ts'],
          testTimeout: 900_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          maxWorkers: 1,
        },
      },
    ],
  },
});
