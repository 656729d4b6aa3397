import { spawn } from "node:child_process";
import path from "node:path";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifacts, jobEvents } from "../../core/db/schema.ts";
import { startHoldingProxy } from "../helpers/holding-proxy.ts";
import { createTestApp, type TestApp } from "../helpers/test-app.ts";
import {
  chatDatasetJsonl,
  checkpointSteps,
  eventTypes,
  jobRow,
  queueJob,
  seedReadyDataset,
  TEST_DATA_CACHE,
  TEST_MODEL_CACHE,
  testWorker,
  waitFor,
} from "../runner/runner-fixtures.ts";

/**
 * A runner in a child process (`guardtune runner`) shares the database and the S3/SQS emulator with this
 * process. PGlite lives inside one process, so these tests need PostgreSQL (CI's DATABASE_URL run).
 */
const hasPostgres = Boolean(process.env.DATABASE_URL);
if (!hasPostgres)
  console.warn("runner-crash tests skipped: they need DATABASE_URL (a PostgreSQL server shared with a child process)");

/** 120 steps, a checkpoint every 3: the kill comes at the second checkpoint's upload, far from the end. */
const METHOD = {
  hyperparameters: { n_epochs: 6, batch_size: 2, learning_rate: 1e-3, max_seq_len: 64, lora: { rank: 4, alpha: 8 } },
};
const ROOT = path.resolve(import.meta.dirname, "../..");

let t: TestApp;
let datasetId: string;

beforeAll(async () => {
  if (!hasPostgres) return;
  t = await createTestApp();
  datasetId = await seedReadyDataset(t.database.db, t.aws, t.tenantId, chatDatasetJsonl(40));
});
afterAll(async () => {
  await t?.close();
});

function startChildRunner(awsEndpoint = t.aws.emulatorEndpoint) {
  const child = spawn(process.execPath, [path.join(ROOT, "bin/guardtune.mjs"), "runner"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION: "1",
      LOG_LEVEL: "warn",
      DATABASE_URL: t.database.url,
      DATABASE_POOL_SIZE: "3",
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "guardtune",
      AWS_SECRET_ACCESS_KEY: "guardtune-embedded",
      AWS_ENDPOINT_URL: awsEndpoint,
      GUARDTUNE_S3_FORCE_PATH_STYLE: "true",
      GUARDTUNE_BUCKET: t.aws.bucket,
      GUARDTUNE_JOBS_QUEUE_URL: t.aws.jobsQueueUrl,
      GUARDTUNE_UPLOADS_QUEUE_URL: t.aws.uploadsQueueUrl,
      GUARDTUNE_DATA_DIR: TEST_DATA_CACHE,
      GUARDTUNE_MODEL_CACHE_DIR: TEST_MODEL_CACHE,
      GUARDTUNE_THREADS: "1",
      GUARDTUNE_RUNNER_LEASE: "2s",
      GUARDTUNE_RUNNER_POLL_WAIT: "1s",
      GUARDTUNE_RUNNER_CHECKPOINT_STEPS: "3",
      GUARDTUNE_RUNNER_METRICS_STEPS: "1",
      GUARDTUNE_RUNNER_DRAIN_GRACE: "10s",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, exited };
}

const lastStep = async (jobId: string) => {
  const [row] = await t.database.db
    .select({ step: sql<number>`max(${jobEvents.step})` })
    .from(jobEvents)
    .where(and(eq(jobEvents.jobId, jobId), eq(jobEvents.type, "metrics")));
  return row?.step ?? 0;
};
const adapterSha = async (jobId: string) => {
  const [row] = await t.database.db
    .select()
    .from(artifacts)
    .where(and(eq(artifacts.jobId, jobId), eq(artifacts.filename, "adapter_model.safetensors")));
  return row?.sha256;
};

describe.skipIf(!hasPostgres)("runner in a child process", () => {
  it("resumes after SIGKILL from the last checkpoint to an adapter byte-identical to an uninterrupted run", async () => {
    // The uninterrupted reference, same data, seed, hyper-parameters and thread count.
    const reference = await queueJob(t.database.db, t.aws, { tenantId: t.tenantId, datasetId, method: METHOD });
    expect(await testWorker(t.database.db, t.aws).pollOnce()).toBe(true);
    expect((await jobRow(t.database.db, reference)).status).toBe("succeeded");

    const jobId = await queueJob(t.database.db, t.aws, { tenantId: t.tenantId, datasetId, method: METHOD });
    // The child reaches S3 through a proxy that holds the upload of the step-6 checkpoint: training (which
    // awaits its checkpoints) stops there, with step 3 stored and step 6 torn, whatever the machine's speed.
    if (!t.aws.emulatorEndpoint) throw new Error("the test stack has no S3/SQS emulator endpoint");
    const proxy = await startHoldingProxy(
      t.aws.emulatorEndpoint,
      (req) => req.method === "PUT" && req.path.includes(`/jobs/${jobId}/checkpoints/6/`),
    );
    const { child, exited } = startChildRunner(proxy.url);
    try {
      await Promise.race([
        proxy.held,
        exited.then((code) => Promise.reject(new Error(`the child runner exited (${code}) before step 6`))),
      ]);
    } finally {
      child.kill("SIGKILL");
      await exited;
      await proxy.close();
    }
    const killedAt = await lastStep(jobId);
    const saved = await checkpointSteps(t.database.db, jobId);
    expect(killedAt).toBe(6);
    expect(saved).toEqual([3]); // the torn step-6 checkpoint is never offered
    expect((await jobRow(t.database.db, jobId)).status).toBe("running");

    // Another runner picks the message up once the dead runner's lease and visibility lapse.
    const resumer = testWorker(t.database.db, t.aws, { workerId: "resumer" });
    await waitFor(async () => ((await resumer.pollOnce()) ? true : undefined), 30_000, "the message to return");
    const job = await jobRow(t.database.db, jobId);
    expect(job.status).toBe("succeeded");
    expect(job.attempts).toBe(2);
    const resumed = (
      await t.database.db
        .select()
        .from(jobEvents)
        .where(and(eq(jobEvents.jobId, jobId), eq(jobEvents.type, "checkpoint.resumed")))
    )[0];
    expect(resumed.step).toBe(saved.at(-1));
    expect(await adapterSha(jobId)).toBe(await adapterSha(reference));
    expect((job.result as { metrics: { losses: number[] } }).metrics.losses).toEqual(
      ((await jobRow(t.database.db, reference)).result as { metrics: { losses: number[] } }).metrics.losses,
    );
  });

  it("drains on SIGTERM: checkpoints, returns the message and exits within the grace period", async () => {
    const jobId = await queueJob(t.database.db, t.aws, { tenantId: t.tenantId, datasetId, method: METHOD });
    const { child, exited } = startChildRunner();
    await waitFor(async () => ((await lastStep(jobId)) >= 2 ? true : undefined), 60_000, "training to start");
    child.kill("SIGTERM");
    expect(await exited).toBe(0); // 0: the drain finished within the grace period (1 when it ran out)
    const interrupted = await jobRow(t.database.db, jobId);
    expect(interrupted.status).toBe("running");
    expect(interrupted.leaseOwner).toBeNull();
    expect(await eventTypes(t.database.db, jobId)).toContain("job.interrupted");
    const stoppedAt = await lastStep(jobId);
    expect((await checkpointSteps(t.database.db, jobId)).at(-1)).toBe(stoppedAt);

    expect(await testWorker(t.database.db, t.aws).pollOnce()).toBe(true); // no wait: visibility was set to 0
    expect((await jobRow(t.database.db, jobId)).status).toBe("succeeded");
  });
});
