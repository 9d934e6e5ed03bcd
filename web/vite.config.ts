import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// The dashboard is built into web/dist, which `baton serve` serves at `/`. It imports the lifecycle
// table from ../src/core so the UI offers exactly the transitions the server accepts.
export default defineConfig({
  root,
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    chunkSizeWarningLimit: 300,
  },
  server: {
    fs: { allow: ['..'] },
    proxy: { '/api': process.env.BATON_SERVER ?? 'http://127.0.0.1:7420' },
  },
});
