import { defineConfig } from 'vitest/config';

// End-to-end tests: the web server in Chromium (playwright-core), and the
// Electron app when its binary is installed. `npm run test:e2e`.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.spec.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
