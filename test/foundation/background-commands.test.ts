import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedAws, type EmbeddedAws } from "../../core/aws/embedded-aws.ts";
import { jobs } from "../../core/db/schema.ts";
import { ID_PREFIX, newId } from "../../core/ids.ts";
import { buildJobConfig } from "../../core/jobs/job-config.ts";
import { createApiKey } from "../../core/auth/api-keys.ts";
import { enqueueJobMessage } from "../../core/queue/job-queue-outbox.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db.ts";
import { chatDatasetJsonl, seedReadyDataset } from "../runner/runner-fixtures.ts";

const BIN = path.resolve(import.meta.dirname, "../../bin/guardtune.mjs");
const FUNCTIONS = ["relay", "sweeper", "rollups", "dispatcher", "uploads", "dlq"] as const;

/** Starts `guardtune <name>`; resolves with its first stdout line (or null when it exits first) and its exit. */
function start(name: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, name], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  // The exit code, or the signal that ended the process.
  const exited = new Promise<number | string | null>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal)),
  );
  const firstLine = new Promise<string | null>((resolve) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", () => resolve(null));
  });
  return { child, exited, firstLine, stderr: () => stderr };
}

describe("background functions on their own", () => {
  it.each(FUNCTIONS)("`guardtune %s` refuses the embedded mode, naming what to set", async (name) => {
    const run = start(name, { GUARDTUNE_DATA_DIR: "/nonexistent" });
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain(`guardtune ${name}: set DATABASE_URL`);
  });
});

// A standalone function shares the database with other processes: PGlite lives in one process.
describe.skipIf(!process.env.DATABASE_URL)("background functions against PostgreSQL and SQS", () => {
  let aws: EmbeddedAws;
  let database: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    aws = await startEmbeddedAws();
    database = await createTestDatabase();
    env = {
      DATABASE_URL: database.url,
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL: aws.emulatorEndpoint!,
      AWS_ACCESS_KEY_ID: "guardtune",
      AWS_SECRET_ACCESS_KEY: "guardtune-embedded",
      GUARDTUNE_S3_FORCE_PATH_STYLE: "true",
      GUARDTUNE_BUCKET: aws.bucket,
      GUARDTUNE_JOBS_QUEUE_URL: aws.jobsQueueUrl,
      GUARDTUNE_JOBS_DLQ_URL: aws.jobsDlqUrl!,
      GUARDTUNE_UPLOADS_QUEUE_URL: aws.uploadsQueueUrl,
      GUARDTUNE_RUNNER_POLL_WAIT: "1s",
    };
  });
  afterAll(async () => {
    await database?.close();
    await aws?.stop();
  });

  it.each(FUNCTIONS)("`guardtune %s` starts, says ready, and exits 0 on SIGTERM", async (name) => {
    const run = start(name, env);
    try {
      expect(await run.firstLine, run.stderr()).toBe(`${name} ready`);
      run.child.kill("SIGTERM");
      expect(await run.exited, run.stderr()).toBe(0);
    } finally {
      run.child.kill("SIGKILL");
    }
  });

  it("`guardtune relay` publishes a committed outbox intent to the jobs queue", async () => {
    const { tenantId } = await createApiKey(database.db, { tenant: "relay-test" });
    const id = newId(ID_PREFIX.job);
    const datasetId = await seedReadyDataset(database.db, aws, tenantId, chatDatasetJsonl(8));
    await database.db.insert(jobs).values({
      id,
      tenantId,
      status: "queued",
      model: "guardtune/tiny-random",
      trainingDatasetId: datasetId,
      config: buildJobConfig({ method: undefined, safeguards: [], seed: 1, evaluation: undefined }),
      queuedAt: new Date(),
    });
    await enqueueJobMessage(database.db, { job_id: id, attempt: 1 });
    const run = start("relay", env);
    try {
      expect(await run.firstLine, run.stderr()).toBe("relay ready");
      let body: string | undefined;
      while (body === undefined) {
        const out = await aws.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: aws.jobsQueueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 1 }),
        );
        body = out.Messages?.[0]?.Body;
      }
      expect(JSON.parse(body)).toEqual({ job_id: id, attempt: 1 });
      run.child.kill("SIGTERM");
      expect(await run.exited, run.stderr()).toBe(0);
    } finally {
      run.child.kill("SIGKILL");
    }
  });
});
