/**
 * Where the paper table's jobs run: the embedded stack started here with one runner per concurrent job, or a
 * running deployment given by `--base-url` and `--api-key`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createApiKey } from "../../../core/auth/api-keys.ts";
import { startRunner, type RunnerHandle } from "../../../gpu-runner/worker/start-runner.ts";
import { embeddedStackConfig } from "../../embedded-config.ts";
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

/**
 * The embedded stack (in-memory database, S3/SQS emulator, API) with `runners` runners in this process. Each
 * runner gets one compute thread unless GUARDTUNE_THREADS says otherwise: the organism is small enough that
 * parallel jobs use the cores better than parallel kernels.
 */
export async function embeddedTarget(runners: number): Promise<Target> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "guardtune-paper-table-"));
  const config = embeddedStackConfig(dataDir, {
    GUARDTUNE_RUNNER_METRICS_STEPS: process.env.GUARDTUNE_RUNNER_METRICS_STEPS ?? "5",
    GUARDTUNE_THREADS: process.env.GUARDTUNE_THREADS ?? "1",
  });
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
