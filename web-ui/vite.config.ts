import { defineConfig } from 'vite';

// The built UI lands in the jar under /sparselab-ui/, which the gateway serves at /.
export default defineConfig({
  build: {
    outDir: 'target/classes/sparselab-ui',
    emptyOutDir: true,
    // ECharts is most of the bytes: its own chunk, cached across UI releases
    chunkSizeWarningLimit: 900,
    rollupOptions: { output: { manualChunks: { echarts: ['echarts/core', 'echarts/charts', 'echarts/components', 'echarts/renderers'] } } },
  },
  server: {
    proxy: { '/api': 'http://localhost:8080' },
  },
});
