// The console's build: Preact components in JSX (esbuild's transform, no Babel), one hashed
// bundle under dist/assets/ that cairn serves from the console port. Vite 6: it runs on the
// Node.js of Debian 12 (18) as well as on 20 and later.
import { defineConfig } from 'vite';

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    // `npm run dev` against a local cairn: the console's API and the S3 gateway.
    proxy: { '/api': 'http://127.0.0.1:9001', '/minio': 'http://127.0.0.1:9001' },
  },
});
