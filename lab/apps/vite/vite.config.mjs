import { defineConfig } from 'vite';

export default defineConfig({
  build: { outDir: 'dist', sourcemap: true, emptyOutDir: true },
  logLevel: 'info',
});
