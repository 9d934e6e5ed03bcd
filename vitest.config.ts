import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS build for mercurius and for us alike; Vite would hand our code
    // its ES build, a second copy whose types the first does not recognise.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
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
