import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// Built into dist/, which trib serve serves; the dev server proxies the API to a running trib serve.
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: { proxy: { "/api": "http://127.0.0.1:8080" } },
  test: { environment: "node" },
});
