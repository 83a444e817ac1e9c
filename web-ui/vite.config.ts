import { defineConfig } from 'vite';

// The built UI lands in the jar under /sparselab-ui/, which the gateway serves at /.
export default defineConfig({
  build: {
    outDir: 'target/classes/sparselab-ui',
    emptyOutDir: true,
  },
  server: {
    proxy: { '/api': 'http://localhost:8080' },
  },
});
