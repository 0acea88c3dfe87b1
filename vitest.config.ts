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
    // Wall time: a test of a few seconds' CPU takes ten times that on 2 cores shared by several suites.
    testTimeout: 120_000,
    // Opening a worker's PGlite (5-8 s of CPU) took over 60 s on a 2-core machine shared with other suites.
    hookTimeout: 180_000,
  },
});
