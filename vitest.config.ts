import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['src/db/testing.global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // A run that finds no test file fails (vitest's default); keep it that way.
    passWithNoTests: false,
    pool: 'forks',
  },
});
