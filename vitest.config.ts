import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests start real servers; two workers match the two cores CI has.
    pool: 'forks',
    maxWorkers: 2,
    setupFiles: ['test/utils/setup.ts'],
  },
});
