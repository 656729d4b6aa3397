/**
 * Where the paper table's jobs run: the embedded stack started here with one runner per concurrent job, or a
 * running deployment given by `--base-url` and `--api-key`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createApiKey } from "../../../core/auth/api-keys.ts";
import { loadConfig } from "../../../core/config/load-config.ts";
import { startRunner, type RunnerHandle } from "../../../gpu-runner/worker/start-runner.ts";
import { startStack } from "../../stack.ts";
import { RetryingApiClient } from "./api-client.ts";

export interface Target {
  readonly api: RetryingApiClient;
  readonly description: string;
  close(): Promise<void>;
}

export function remoteTarget(baseUrl: string, apiKey: string): Target {
  return {
    api: new RetryingApiClient(baseUrl.replace(/\/$/, ""), apiKey),
    description: baseUrl,
    close: async () => {},
  };
}

/** Variables that would point the embedded stack at another deployment's database, bucket or queues. */
const EXTERNAL_VARIABLES = [
  "DATABASE_URL",
  "GUARDTUNE_BUCKET",
  "GUARDTUNE_JOBS_QUEUE_URL",
  "GUARDTUNE_JOBS_DLQ_URL",
  "GUARDTUNE_UPLOADS_QUEUE_URL",
  "AWS_ENDPOINT_URL",
];

/**
 * The embedded stack (in-memory database, S3/SQS emulator, API) with `runners` runners in this process. Each
 * runner gets one compute thread unless GUARDTUNE_THREADS says otherwise: the organism is small enough that
 * parallel jobs use the cores better than parallel kernels.
 */
export async function embeddedTarget(runners: number): Promise<Target> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "guardtune-paper-table-"));
  const env: Record<string, string | undefined> = {
    ...process.env,
    GUARDTUNE_DATA_DIR: dataDir,
    GUARDTUNE_RUNNER: "embedded",
    GUARDTUNE_RUNNER_METRICS_STEPS: process.env.GUARDTUNE_RUNNER_METRICS_STEPS ?? "5",
    GUARDTUNE_THREADS: process.env.GUARDTUNE_THREADS ?? "1",
  };
  for (const k of EXTERNAL_VARIABLES) delete env[k];
  env.LOG_LEVEL ??= "warn";
  const loaded = loadConfig(env);
  const config = {
    ...loaded,
    http: { ...loaded.http, host: "127.0.0.1", port: 0 },
    database: { kind: "pglite" as const, dataDir: "memory" },
  };
  const stack = await startStack(config);
  const extra: RunnerHandle[] = [];
  try {
    for (let i = 1; i < runners; i++)
      extra.push(
        startRunner({ config, db: stack.deps.db, aws: stack.deps.aws, logger: stack.logger }, { deadLetters: false }),
      );
    const { key } = await createApiKey(stack.deps.db, { tenant: "paper-table", name: "paper-table" });
    return {
      api: new RetryingApiClient(stack.url, key),
      description: `embedded stack at ${stack.url} with ${runners} runner${runners === 1 ? "" : "s"}`,
      close: async () => {
        await Promise.all(extra.map((r) => r.stop()));
        await stack.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await Promise.all(extra.map((r) => r.stop()));
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}
