import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { Ajv } from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";
import { workflowJsonSchema } from "../src/spec/schema.js";

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

// The designer imports the server's pure workflow-format modules from ../src/spec, so it
// shows exactly the server's validation errors. Their bare imports (ajv, croner, yaml)
// are deduplicated to this app's own copies, so the bundle needs nothing from the root
// package's node_modules and holds one copy of each.
// The server serves the app with `script-src 'self'` (no eval), and ajv compiles a schema
// with `new Function`. So the app gets the workflow schema's validator precompiled at build
// time (ajv's standalone code, with the options of src/spec/schema-check.ts) behind a
// stand-in `Ajv` whose `compile` returns it. Unit tests (node) keep the real ajv.
function precompiledValidator(): Plugin {
  const SHIM = "\0updraft-ajv-shim";
  const CODE = "\0updraft-workflow-validator";
  return {
    name: "updraft-precompiled-validator",
    enforce: "pre",
    resolveId(source, importer) {
      if (source === CODE) return CODE;
      const from = importer?.replace(/\\/g, "/") ?? "";
      return source === "ajv" && from.endsWith("/src/spec/schema-check.ts") ? SHIM : null;
    },
    load(id) {
      if (id === SHIM)
        return `import validate from ${JSON.stringify(CODE)};\nexport class Ajv { compile() { return validate; } }\n`;
      if (id !== CODE) return null;
      const ajv = new Ajv({
        allErrors: true,
        verbose: true,
        allowUnionTypes: true,
        strict: true,
        code: { source: true, esm: true },
      });
      // Even as ESM, the standalone code `require`s ajv's runtime helpers: make them imports.
      const imports: string[] = [];
      const code = standaloneCode(ajv, ajv.compile(workflowJsonSchema)).replace(
        /require\("(ajv\/dist\/runtime\/[a-z0-9_]+)"\)\.default/g,
        (_, path: string) => {
          imports.push(`import __rt${imports.length} from ${JSON.stringify(path)};`);
          return `__rt${imports.length - 1}`;
        },
      );
      if (code.includes("require("))
        throw new Error("the precompiled workflow validator still calls require()");
      return `${imports.join("\n")}\n${code}`;
    },
  };
}

export default defineConfig({
  plugins: process.env["VITEST"] ? [react()] : [precompiledValidator(), react()],
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
