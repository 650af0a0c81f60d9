import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'core/**/*.test.ts', 'node/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
