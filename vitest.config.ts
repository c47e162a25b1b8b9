import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'bench/**/*.test.ts',
      'deploy/**/*.test.ts',
    ],
    // Tests that start servers and processes bound their own waits; this is the outer guard.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', './vitest.summary-reporter.ts'],
    pool: 'forks',
    // Two cores: process-heavy integration tests contend if too many files run at once.
    maxWorkers: 2,
    // Memory tests force a full collection (globalThis.gc) to see what is still held.
    execArgv: ['--expose-gc'],
  },
});
