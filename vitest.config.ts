import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Temp folders in a sandbox of this run, a guard against tests finding stores by walking up,
    // and no BATON_* from the caller's shell: see the file.
    globalSetup: ['tests/setup/seal.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Multi-process tests spawn real OS processes; keep files from starving each other on 2 cores.
    maxWorkers: 2,
  },
});
