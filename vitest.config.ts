import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real processes behind nginx: npm run test:replicas (vitest.replicas.config.ts).
    exclude: [...configDefaults.exclude, 'test/replicas/**'],
    // PGlite costs seconds to start: one per worker, shared across files (see test/helpers/db.ts).
    pool: 'forks',
    maxWorkers: 2,
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
