import { S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifacts, datasets, jobEvents, jobs } from "../../core/db/schema.ts";
import { createLogger } from "../../core/log/logger.ts";
import { sendJobMessage } from "../../core/queue/job-message.ts";
import { claimJob, renewJobLease } from "../../gpu-runner/worker/claim-job.ts";
import { runOnce } from "../../core/background/loop.ts";
import { sqsQueue } from "../../core/queue/sqs-queue.ts";
import { relayJobMessages } from "../../functions/queue/job-queue-relay.ts";
import { sweepJobQueue } from "../../functions/queue/job-queue-sweeper.ts";
import { deadLetterLoop } from "../../gpu-runner/worker/dlq-consumer.ts";
import { JobLease } from "../../gpu-runner/worker/job-lease.ts";
import { createTestApp, type TestApp } from "../helpers/test-app.ts";
import {
  chatDatasetJsonl,
  checkpointSteps,
  eventTypes,
  jobRow,
  queueJob,
  seedReadyDataset,
  testPipeline,
  testWorker,
  waitFor,
} from "./runner-fixtures.ts";

let t: TestApp;
let small: string;
let long: string;
/** 100 steps: long enough that a stop requested after the first steps always lands mid-training. */
const LONG_METHOD = {
  hyperparameters: { n_epochs: 5, batch_size: 2, learning_rate: 1e-3, max_seq_len: 64, lora: { rank: 4, alpha: 8 } },
};

beforeAll(async () => {
  t = await createTestApp();
  small = await seedReadyDataset(t.database.db, t.aws, t.tenantId, chatDatasetJsonl(8));
  long = await seedReadyDataset(t.database.db, t.aws, t.tenantId, chatDatasetJsonl(40));
});
afterAll(async () => {
  await t?.close();
});

const db = () => t.database.db;
const claims = async (jobId: string) => (await eventTypes(db(), jobId)).filter((e) => e === "job.claimed").length;
const lastMetricsStep = async (jobId: string) => {
  const [row] = await db()
    .select({ step: sql<number>`max(${jobEvents.step})` })
    .from(jobEvents)
    .where(eq(jobEvents.jobId, jobId));
  return row?.step ?? 0;
};
async function queueDepth(url: string): Promise<number> {
  const out = await t.aws.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return (
    Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

describe("runner worker", () => {
  it("runs a job once when its message is delivered twice, and drops the stale copy", async () => {
    const jobId = await queueJob(db(), t.aws, { tenantId: t.tenantId, datasetId: small });
    await sendJobMessage(t.aws, { job_id: jobId, attempt: 1 });
    const worker = testWorker(db(), t.aws);
    expect(await worker.pollOnce()).toBe(true);
    expect(await worker.pollOnce()).toBe(true); // the duplicate: job already succeeded → deleted
    expect(await worker.pollOnce()).toBe(false);
    const job = await jobRow(db(), jobId);
    expect(job.status).toBe("succeeded");
    expect(job.attempts).toBe(1);
    expect(await claims(jobId)).toBe(1);
  });

  it("two workers on one queue run each job exactly once", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await queueJob(db(), t.aws, { tenantId: t.tenantId, datasetId: small, seed: i });
      await sendJobMessage(t.aws, { job_id: id, attempt: 1 }); // and a duplicate of each
      ids.push(id);
    }
    const a = testWorker(db(), t.aws, { workerId: "worker-a" });
    const b = testWorker(db(), t.aws, { workerId: "worker-b" });
    a.start();
    b.start();
    try {
      await waitFor(
        async () => {
          const rows = await Promise.all(ids.map((id) => jobRow(db(), id)));
          return rows.every((r) => r.status === "succeeded") ? true : undefined;
        },
        60_000,
        "all jobs to succeed",
      );
    } finally {
      await Promise.all([a.stop(5000), b.stop(5000)]);
    }
    for (const id of ids) {
      expect(await claims(id)).toBe(1);
      expect((await jobRow(db(), id)).attempts).toBe(1);
    }
    expect(await queueDepth(t.aws.jobsQueueUrl)).toBe(0);
  });

  it("never starts a job cancelled while queued", async () => {
    const jobId = await queueJob(db(), t.aws, { tenantId: t.tenantId, datasetId: small });
    const res = await t.request(`/v1/jobs/${jobId}/cancel`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(await testWorker(db(), t.aws).pollOnce()).toBe(true);
    const job = await jobRow(db(), jobId);
    expect(job.status).toBe("cancelled");
    expect(job.attempts).toBe(0);
    expect(await claims(jobId)).toBe(0);
  });

  it("stops a running job at the next step when cancelled, records cancelled and deletes the message", async () => {
    const jobId = await queueJob(db(), t.aws, { tenantId: t.tenantId, datasetId: long, method: LONG_METHOD });
    const worker = testWorker(db(), t.aws);
    const run = worker.pollOnce();
    await waitFor(async () => ((await lastMetricsStep(jobId)) >= 2 ? true : undefined), 30_000, "training to start");
    const res = await t.request(`/v1/jobs/${jobId}/cancel`, { method: "POST" });
    expect(res.status).toBe(200);
    await run;
    const job = await jobRow(db(), jobId);
    expect(job.status).toBe("cancelled");
    expect(await lastMetricsStep(jobId)).toBeLessThan(100);
    expect(await db().select().from(artifacts).where(eq(artifacts.jobId, jobId))).toHaveLength(0);
    expect(await queueDepth(t.aws.jobsQueueUrl)).toBe(0);
  });

  it("drains on stop: checkpoints, hands the message back, and the next runner resumes to the same end", async () => {
    const jobId = await queueJob(db(), t.aws, { tenantId: t.tenantId, datasetId: long, method: LONG_METHOD });
    const first = testWorker(db(), t.aws, { workerId: "draining" });
    first.start();
    await waitFor(async () => ((await lastMetricsStep(jobId)) >= 3 ? true : undefined), 30_000, "training to start");
    await first.stop(10_000);
    const interrupted = await jobRow(db(), jobId);
    expect(interrupted.status).toBe("running");
    expect(interrupted.leaseOwner).toBeNull();
    expect(await eventTypes(db(), jobId)).toContain("job.interrupted");
    const saved = await checkpointSteps(db(), jobId);
    expect(saved.at(-1)).toBeGreaterThanOrEqual(3);

    const second = testWorker(db(), t.aws, { workerId: "resumer" });
    expect(await second.pollOnce()).toBe(true); // visible again at once
    const job = await jobRow(db(), jobId);
    expect(job.status).toBe("succeeded");
    expect(job.attempts).toBe(2);
    expect(await eventTypes(db(), jobId)).toContain("checkpoint.resumed");
    expect((job.result as { metrics: { losses: number[] } }).metrics.losses).toHaveLength(100);
  });

  it("fails a job permanently with an actionable error when its data changed", async () => {
    const datasetId = await seedReadyDataset(db(), t.aws, t.tenantId, chatDatasetJsonl(8));
    await db()
      .update(datasets)
      .set({ contentSha256: "0".repeat(64) })
      .where(eq(datasets.id, datasetId));
    const jobId = await queueJob(db(), t.aws, { tenantId: t.tenantId, datasetId });
    expect(await testWorker(db(), t.aws).pollOnce()).toBe(true);
    const job = await jobRow(db(), jobId);
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "dataset_changed", param: "training_dataset" });
    expect(job.error?.message).toMatch(/upload it again/);
    expect(await queueDepth(t.aws.jobsQueueUrl)).toBe(0);
  });

  it("retries transient failures until the dead-letter queue takes the message, then fails the job", async () => {
    const dlq = await t.aws.sqs.send(new CreateQueueCommand({ QueueName: "poison-dlq" }));
    const dlqArn = (
      await t.aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }))
    ).Attributes?.QueueArn;
    const queue = await t.aws.sqs.send(
      new CreateQueueCommand({
        QueueName: "poison-jobs",
        Attributes: {
          VisibilityTimeout: "30",
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: "2" }),
        },
      }),
    );
    // An object store nobody listens on: every attempt fails with a connection error (retryable).
    const unreachable = new S3Client({
      region: "us-east-1",
      endpoint: "http://127.0.0.1:9",
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: "x", secretAccessKey: "y" },
    });
    const jobId = await queueJob(db(), t.aws, { tenantId: t.tenantId, datasetId: small, send: false });
    await sendJobMessage({ sqs: t.aws.sqs, jobsQueueUrl: queue.QueueUrl! }, { job_id: jobId, attempt: 1 });
    const worker = testWorker(db(), t.aws, {
      queueUrl: queue.QueueUrl!,
      runJob: testPipeline(db(), { ...t.aws, s3: unreachable }),
    });
    expect(await worker.pollOnce()).toBe(true);
    expect(await worker.pollOnce()).toBe(true);
    expect(await worker.pollOnce()).toBe(false); // moved to the dead-letter queue
    expect((await jobRow(db(), jobId)).status).toBe("running");
    expect(await eventTypes(db(), jobId)).toContain("job.retrying");
    const consumer = deadLetterLoop({
      db: db(),
      queue: sqsQueue(t.aws.sqs, dlq.QueueUrl!),
      logger: createLogger("silent"),
      waitSeconds: 0,
    });
    expect(await runOnce(consumer)).toBe(true);
    const job = await jobRow(db(), jobId);
    expect(job.status).toBe("failed");
    expect(job.attempts).toBe(2);
    expect(job.error?.code).toBe("max_attempts");
    unreachable.destroy();
  });

  it("retires the message before the SQS visibility cap, and the sweeper re-sends a message for abandoned jobs", async () => {
    const jobId = await queueJob(db(), t.aws, { tenantId: t.tenantId, datasetId: small });
    const queue = sqsQueue(t.aws.sqs, t.aws.jobsQueueUrl);
    const msg = (await queue.receive({ waitSeconds: 0, visibilitySeconds: 30 }))!;
    const holder = { workerId: "long-runner", leaseSeconds: 30 };
    expect((await claimJob(db(), jobId, holder)).kind).toBe("claimed");
    const target = {
      renewLease: () => renewJobLease(db(), jobId, holder),
      extendMessage: (s: number) => queue.setVisibility(msg.receiptHandle, s),
      deleteMessage: () => queue.delete(msg.receiptHandle),
    };
    const limits = {
      intervalMs: 10_000,
      visibilitySeconds: 40,
      firstReceivedAt: msg.firstReceivedAt,
      maxVisibilityMs: 60_000,
    };
    const early = new JobLease(target, { ...limits, now: () => msg.firstReceivedAt + 1000 });
    await early.renewNow();
    expect([early.messageRetired, early.lostReason, await queueDepth(t.aws.jobsQueueUrl)]).toEqual([false, null, 1]);
    const late = new JobLease(target, { ...limits, now: () => msg.firstReceivedAt + 30_000 });
    await late.renewNow();
    expect([late.messageRetired, late.lostReason, await queueDepth(t.aws.jobsQueueUrl)]).toEqual([true, null, 0]);
    expect((await jobRow(db(), jobId)).leaseExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 20_000);
    await db().update(jobs).set({ status: "cancelled", leaseOwner: null }).where(eq(jobs.id, jobId));

    // A running job whose runner vanished and whose message is gone.
    const orphan = await queueJob(db(), t.aws, { tenantId: t.tenantId, datasetId: small, send: false });
    await db()
      .update(jobs)
      .set({ status: "running", leaseOwner: "gone", leaseExpiresAt: new Date(Date.now() - 600_000), attempts: 1 })
      .where(eq(jobs.id, orphan));
    const swept = await sweepJobQueue(
      { db: db(), logger: createLogger("silent") },
      {
        resendAfterMs: 3_600_000,
        abandonedLeaseAfterMs: 60_000,
        abandonedCancelAfterMs: 60_000,
        idempotencyTtlMs: 3_600_000,
      },
    );
    expect(swept.resumed).toEqual([orphan]);
    // Through the outbox: the relay sends it, since the job's lease has expired and a runner can claim it.
    expect(await relayJobMessages({ db: db(), aws: t.aws, logger: createLogger("silent") })).toMatchObject({ sent: 1 });
    expect(await testWorker(db(), t.aws).pollOnce()).toBe(true);
    expect((await jobRow(db(), orphan)).status).toBe("succeeded");
  });

  it("stops without touching the job when another runner took its lease over", async () => {
    const jobId = await queueJob(db(), t.aws, { tenantId: t.tenantId, datasetId: long, method: LONG_METHOD });
    const worker = testWorker(db(), t.aws, { workerId: "slow", settings: { leaseMs: 1500 } });
    const run = worker.pollOnce();
    await waitFor(async () => ((await lastMetricsStep(jobId)) >= 1 ? true : undefined), 30_000, "training to start");
    // What a re-claim after an expired lease leaves behind: another owner with a live lease.
    await db()
      .update(jobs)
      .set({ leaseOwner: "other", leaseExpiresAt: new Date(Date.now() + 600_000) })
      .where(eq(jobs.id, jobId));
    await run;
    const job = await jobRow(db(), jobId);
    expect(job.status).toBe("running");
    expect(job.leaseOwner).toBe("other");
    expect(await lastMetricsStep(jobId)).toBeLessThan(100);
    expect(await db().select().from(artifacts).where(eq(artifacts.jobId, jobId))).toHaveLength(0);
    // Its message is now a duplicate of a job held by a live runner: the next receiver drops it.
    await db().update(jobs).set({ status: "cancelled", leaseOwner: null }).where(eq(jobs.id, jobId));
  });
});
