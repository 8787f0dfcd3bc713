import { defineConfig } from 'vitest/config';

// In development `npm run dev` proxies the API and media to a running
// `reelvault serve` (REELVAULT_URL, default http://127.0.0.1:7788).
const backend = process.env.REELVAULT_URL ?? 'http://127.0.0.1:7788';

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: { outDir: 'dist', target: 'es2022', chunkSizeWarningLimit: 300 },
  server: {
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/media': { target: backend, changeOrigin: false },
    },
  },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
