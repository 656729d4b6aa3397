import { loadConfig, type Config } from "../../core/config/load-config.ts";

/** Embedded-mode configuration for tests: in-memory database, emulator, loopback on a random port. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  const config = loadConfig({
    PORT: "8787",
    LOG_LEVEL: "silent",
    GUARDTUNE_WEBHOOK_ALLOWLIST: "127.0.0.1",
    GUARDTUNE_RUNNER: "off",
    ...overrides,
  });
  return { ...config, http: { ...config.http, port: 0 }, database: { kind: "pglite", dataDir: "memory" } };
}
