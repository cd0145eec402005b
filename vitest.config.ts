import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Interop tests start real peers; two cores are all there is.
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
