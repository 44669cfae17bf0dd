import { defineConfig } from "vitest/config";

// `npm run chaos:short` runs the short chaos test alone (COSELL_CHAOS=1); `npm test` runs it with everything else.
const chaosOnly = process.env.COSELL_CHAOS === "1";

export default defineConfig({
  test: {
    include: chaosOnly ? ["test/chaos/**/*.test.ts"] : ["test/**/*.test.{ts,tsx}"],
    exclude: ["**/node_modules/**", "test/bench/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
