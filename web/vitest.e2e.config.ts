import { defineConfig } from "vitest/config";

// Browser tests of the built app; they need web/dist (`make web`) and Debian's chromium.
export default defineConfig({
  test: { include: ["e2e/**/*.e2e.ts"], testTimeout: 60_000, hookTimeout: 60_000 },
});
