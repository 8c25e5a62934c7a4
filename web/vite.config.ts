import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

// The designer imports the server's pure workflow-format modules from ../src/spec, so it
// shows exactly the server's validation errors. Their bare imports (ajv, croner, yaml)
// are deduplicated to this app's own copies, so the bundle needs nothing from the root
// package's node_modules and holds one copy of each.
export default defineConfig({
  plugins: [react()],
  resolve: { dedupe: ["ajv", "croner", "yaml"] },
  server: {
    fs: { allow: [here("."), here("../src/spec")] },
    proxy: { "/api": "http://127.0.0.1:8080" },
  },
  // One chunk of about 870 kB (React, React Flow, the validator with ajv and yaml) until
  // the pages are split; the warning would only repeat that.
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1024 },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
