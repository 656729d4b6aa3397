/**
 * The configuration of a self-contained embedded stack (the demo, the paper table): the in-memory database, the
 * S3/SQS emulator, an embedded runner, the API on a free loopback port. Variables that would point it at another
 * deployment's database, bucket or queues are ignored, so a shell set up for a real deployment cannot leak into it.
 */
import { loadConfig, type Config } from "../core/config/load-config.ts";

const EXTERNAL_VARIABLES = [
  "DATABASE_URL",
  "GUARDTUNE_BUCKET",
  "GUARDTUNE_JOBS_QUEUE_URL",
  "GUARDTUNE_JOBS_DLQ_URL",
  "GUARDTUNE_UPLOADS_QUEUE_URL",
  "AWS_ENDPOINT_URL",
];

export function embeddedStackConfig(dataDir: string, overrides: Record<string, string> = {}): Config {
  const env: Record<string, string | undefined> = {
    ...process.env,
    GUARDTUNE_DATA_DIR: dataDir,
    GUARDTUNE_RUNNER: "embedded",
    ...overrides,
  };
  for (const k of EXTERNAL_VARIABLES) delete env[k];
  env.LOG_LEVEL ??= "warn";
  const loaded = loadConfig(env);
  return {
    ...loaded,
    http: { ...loaded.http, host: "127.0.0.1", port: 0 },
    database: { kind: "pglite" as const, dataDir: "memory" },
  };
}
