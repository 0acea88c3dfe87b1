import { defineConfig } from 'vitest/config';

// npm run test:replicas: real app processes behind nginx on PostgreSQL (test/replicas). Not part of npm test.
export default defineConfig({
  test: {
    include: ['test/replicas/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 300_000,
    hookTimeout: 180_000,
  },
});
