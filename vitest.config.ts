import { defineConfig } from "vitest/config";

const jsonOut = process.env.VITEST_JSON_OUT;

export default defineConfig({
  test: {
    include: [
      "core/**/*.test.ts",
      "functions/**/*.test.ts",
      "gpu-runner/**/*.test.ts",
      "cli/**/*.test.ts",
      "test/**/*.test.ts",
      "infra/**/*.test.ts",
    ],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: jsonOut ? ["default", ["json", { outputFile: jsonOut }]] : ["default"],
    env: { AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION: "1", LOG_LEVEL: process.env.LOG_LEVEL ?? "silent" },
  },
});
