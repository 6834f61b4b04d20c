import { defineConfig } from 'vite';

// The console serves the built UI from web/dist; in development `vite` proxies the API to a running console.
export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: { proxy: { '/api': { target: process.env.TENET_CONSOLE ?? 'https://localhost:8443', secure: false } } },
});
