import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { idempotencyKeys, jobEvents, jobQueueOutbox, jobs, webhookEvents } from "../../core/db/schema.ts";
import { createLogger } from "../../core/log/logger.ts";
import { parseJobMessage, type JobMessage } from "../../core/queue/job-message.ts";
import { createTestApp, type TestApp } from "../../test/helpers/test-app.ts";
import { insertDataset, insertJob } from "../../test/jobs/job-fixtures.ts";
import { relayJobMessages, startJobQueueRelay } from "./job-queue-relay.ts";
import { sweepJobQueue } from "./job-queue-sweeper.ts";

const logger = createLogger("silent");
let t: TestApp;
let datasetId: string;

beforeAll(async () => {
  t = await createTestApp();
  datasetId = await insertDataset(t.database.db, t.tenantId);
});
afterAll(async () => t?.close());
beforeEach(async () => {
  // Every test starts with an empty queue and no pending intents from earlier tests.
  await receiveAll();
  await t.database.db.update(jobQueueOutbox).set({ sentAt: new Date() });
});

const relay = (aws: { sqs: SQSClient; jobsQueueUrl: string } = t.aws) =>
  relayJobMessages({ db: t.database.db, aws, logger });

async function createJob(): Promise<string> {
  const res = await t.request("/v1/jobs", {
    method: "POST",
    json: { model: "guardtune/tiny-random", training_dataset: datasetId },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** Every message now on the jobs queue (received and deleted). */
async function receiveAll(): Promise<JobMessage[]> {
  const out: JobMessage[] = [];
  for (;;) {
    const res = await t.aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: t.aws.jobsQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    const messages = res.Messages ?? [];
    if (messages.length === 0) return out;
    out.push(...messages.map((m) => parseJobMessage(m.Body)));
    await t.aws.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: t.aws.jobsQueueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
}

const outboxOf = (jobId: string) => t.database.db.select().from(jobQueueOutbox).where(eq(jobQueueOutbox.jobId, jobId));

describe("outbox relay", () => {
  it("publishes { job_id, attempt } for a created job and marks the intent sent", async () => {
    const id = await createJob();
    expect(await relay()).toEqual({ sent: 1, failed: 0, skipped: 0 });
    expect(await receiveAll()).toEqual([{ job_id: id, attempt: 1 }]);
    const [row] = await outboxOf(id);
    expect(row.sentAt).not.toBeNull();
    expect(row.sendAttempts).toBe(1);
    expect(await relay()).toEqual({ sent: 0, failed: 0, skipped: 0 });
  });

  it("still delivers a job whose first send failed after the commit (bad queue, then unreachable endpoint)", async () => {
    const id = await createJob();
    const badQueue = await relay({
      sqs: t.aws.sqs,
      jobsQueueUrl: t.aws.jobsQueueUrl.replace(/guardtune-jobs$/, "no-such-queue"),
    });
    expect(badQueue).toEqual({ sent: 0, failed: 1, skipped: 0 });
    let [row] = await outboxOf(id);
    expect(row.sentAt).toBeNull();
    expect(row.lastError).toMatch(/queue/i);
    expect(row.availableAt.getTime()).toBeGreaterThan(Date.now());
    // Backing off: not due yet, so a healthy relay leaves it alone for now.
    expect(await relay()).toEqual({ sent: 0, failed: 0, skipped: 0 });

    await t.database.db
      .update(jobQueueOutbox)
      .set({ availableAt: new Date(Date.now() - 1) })
      .where(eq(jobQueueOutbox.jobId, id));
    const down = new SQSClient({
      region: "us-east-1",
      endpoint: "http://127.0.0.1:9",
      credentials: { accessKeyId: "x", secretAccessKey: "y" },
      maxAttempts: 1,
    });
    expect(await relay({ sqs: down, jobsQueueUrl: t.aws.jobsQueueUrl })).toEqual({ sent: 0, failed: 1, skipped: 0 });
    down.destroy();
    expect(await receiveAll()).toEqual([]);

    await t.database.db
      .update(jobQueueOutbox)
      .set({ availableAt: new Date(Date.now() - 1) })
      .where(eq(jobQueueOutbox.jobId, id));
    expect(await relay()).toEqual({ sent: 1, failed: 0, skipped: 0 });
    expect(await receiveAll()).toEqual([{ job_id: id, attempt: 1 }]);
    [row] = await outboxOf(id);
    expect(row.sendAttempts).toBe(3);
    expect(row.lastError).toBeNull();
  });

  it("sends each intent once even with concurrent relays", async () => {
    const ids = await Promise.all(Array.from({ length: 8 }, () => createJob()));
    const passes = await Promise.all([relay(), relay(), relay()]);
    expect(passes.reduce((n, p) => n + p.sent, 0)).toBe(8);
    const messages = await receiveAll();
    expect(messages.map((m) => m.job_id).sort()).toEqual([...ids].sort());
  });

  it("does not publish a job cancelled before the relay ran", async () => {
    const id = await createJob();
    await t.request(`/v1/jobs/${id}/cancel`, { method: "POST" });
    expect(await relay()).toEqual({ sent: 0, failed: 0, skipped: 1 });
    expect(await receiveAll()).toEqual([]);
    expect((await outboxOf(id))[0].lastError).toBe("not sent: job is cancelled");
  });

  it("runs as a service that a notify wakes before its next poll", async () => {
    const config = { ...t.config, queue: { ...t.config.queue, relayPollIntervalMs: 60_000 } };
    const service = startJobQueueRelay({ db: t.database.db, aws: t.aws, logger, config })!;
    try {
      await new Promise((r) => setTimeout(r, 100));
      const id = await createJob();
      const started = Date.now();
      service.wake();
      let got: JobMessage[] = [];
      while (got.length === 0 && Date.now() - started < 5000) {
        await new Promise((r) => setTimeout(r, 50));
        got = await receiveAll();
      }
      expect(got).toEqual([{ job_id: id, attempt: 1 }]);
    } finally {
      await service.close();
    }
  });
});

describe("sweeper", () => {
  const sweep = (now = new Date()) =>
    sweepJobQueue(
      { db: t.database.db, logger },
      { resendAfterMs: 60_000, abandonedCancelAfterMs: 60_000, idempotencyTtlMs: 3_600_000, now },
    );
  const hourAgo = () => new Date(Date.now() - 3_600_000);

  it("republishes a queued job whose message was lost, once per period", async () => {
    const id = await createJob();
    await relay();
    expect(await receiveAll()).toHaveLength(1); // ...and then the message is lost (e.g. purged).
    await t.database.db.update(jobs).set({ queuedAt: hourAgo() }).where(eq(jobs.id, id));
    await t.database.db.update(jobQueueOutbox).set({ sentAt: hourAgo() }).where(eq(jobQueueOutbox.jobId, id));

    expect((await sweep()).requeued).toEqual([id]);
    expect((await sweep()).requeued).toEqual([]); // an intent is pending: nothing more
    expect(await relay()).toEqual({ sent: 1, failed: 0, skipped: 0 });
    expect(await receiveAll()).toEqual([{ job_id: id, attempt: 1 }]);
    expect((await sweep()).requeued).toEqual([]); // sent just now: not lost
    expect(await outboxOf(id)).toHaveLength(2);
    const events = await t.database.db.select().from(jobEvents).where(eq(jobEvents.jobId, id));
    expect(events.map((e) => e.type)).toContain("job.requeued");
  });

  it("writes one new intent per lost job even when two sweepers race", async () => {
    const id = await createJob();
    await relay();
    await receiveAll();
    await t.database.db.update(jobs).set({ queuedAt: hourAgo() }).where(eq(jobs.id, id));
    await t.database.db.update(jobQueueOutbox).set({ sentAt: hourAgo() }).where(eq(jobQueueOutbox.jobId, id));
    const [a, b] = await Promise.all([sweep(), sweep()]);
    expect([...a.requeued, ...b.requeued].filter((j) => j === id)).toEqual([id]);
    expect((await outboxOf(id)).filter((o) => o.sentAt === null)).toHaveLength(1);
  });

  it("leaves young, pending, running and cancelled jobs alone", async () => {
    const young = await createJob(); // queued just now, intent pending
    const pending = await createJob();
    await t.database.db.update(jobs).set({ queuedAt: hourAgo() }).where(eq(jobs.id, pending)); // old but unsent intent
    const running = await insertJob(t.database.db, t.tenantId, datasetId, "running", { queuedAt: hourAgo() });
    const cancelled = await insertJob(t.database.db, t.tenantId, datasetId, "cancelled", { queuedAt: hourAgo() });
    const requeued = (await sweep()).requeued;
    for (const id of [young, pending, running.id, cancelled.id]) expect(requeued).not.toContain(id);
  });

  it("completes a cancellation whose runner's lease ran out, and only that one", async () => {
    const dead = await insertJob(t.database.db, t.tenantId, datasetId, "cancelling", {
      cancelRequestedAt: hourAgo(),
      leaseOwner: "w1",
      leaseExpiresAt: hourAgo(),
    });
    const alive = await insertJob(t.database.db, t.tenantId, datasetId, "cancelling", {
      cancelRequestedAt: hourAgo(),
      leaseOwner: "w2",
      leaseExpiresAt: new Date(Date.now() + 60_000),
    });
    const r = await sweep();
    expect(r.cancelled).toContain(dead.id);
    expect(r.cancelled).not.toContain(alive.id);
    const rows = await t.database.db
      .select()
      .from(jobs)
      .where(inArray(jobs.id, [dead.id, alive.id]));
    expect(Object.fromEntries(rows.map((j) => [j.id, j.status]))).toEqual({
      [dead.id]: "cancelled",
      [alive.id]: "cancelling",
    });
    const hooks = await t.database.db
      .select()
      .from(webhookEvents)
      .where(eq(webhookEvents.type, "fine_tuning.job.cancelled"));
    expect(hooks.some((h) => (h.payload.data as { id: string }).id === dead.id)).toBe(true);
  });

  it("forgets idempotency keys older than the TTL", async () => {
    await t.database.db.insert(idempotencyKeys).values([
      {
        tenantId: t.tenantId,
        key: "old",
        method: "POST",
        path: "/v1/jobs",
        requestHash: "h",
        createdAt: new Date(Date.now() - 7_200_000),
      },
      { tenantId: t.tenantId, key: "new", method: "POST", path: "/v1/jobs", requestHash: "h" },
    ]);
    expect((await sweep()).expiredKeys).toBe(1);
    const left = await t.database.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.tenantId, t.tenantId));
    expect(left.map((k) => k.key)).toContain("new");
    expect(left.map((k) => k.key)).not.toContain("old");
  });
});
