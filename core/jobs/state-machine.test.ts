import { and, asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTenant } from "../auth/api-keys.ts";
import { jobEvents, jobQueueOutbox, jobs, webhookEvents } from "../db/schema.ts";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/test-db.ts";
import { insertDataset, insertJob } from "../../test/jobs/job-fixtures.ts";
import { claimJob } from "../../gpu-runner/worker/claim-job.ts";
import {
  IllegalTransitionError,
  JOB_STATUSES,
  LEGAL_TRANSITIONS,
  transitionJob,
  type JobStatus,
} from "./state-machine.ts";

let database: TestDatabase;
let tenantId: string;
let datasetId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  tenantId = (await ensureTenant(database.db, "acme")).id;
  datasetId = await insertDataset(database.db, tenantId);
});
afterAll(async () => database?.close());

const pairs = JOB_STATUSES.flatMap((from) => JOB_STATUSES.map((to) => [from, to] as [JobStatus, JobStatus]));
const legal = pairs.filter(([from, to]) => LEGAL_TRANSITIONS[from].includes(to));
const illegal = pairs.filter(([from, to]) => !LEGAL_TRANSITIONS[from].includes(to));

describe("job state machine", () => {
  it("has the documented shape", () => {
    expect(legal.map(([f, t]) => `${f}->${t}`).sort()).toEqual(
      [
        "validating_files->queued",
        "validating_files->failed",
        "validating_files->cancelled",
        "queued->running",
        "queued->cancelled",
        "queued->failed",
        "running->running",
        "running->queued",
        "running->cancelling",
        "running->succeeded",
        "running->failed",
        "cancelling->cancelled",
        "cancelling->failed",
      ].sort(),
    );
    expect(legal.length + illegal.length).toBe(49);
  });

  it.each(legal)("%s → %s moves the row, writes one event and the side effects", async (from, to) => {
    const job = await insertJob(database.db, tenantId, datasetId, from);
    const row = await transitionJob(database.db, job.id, { from, to, event: { type: `test.${to}`, message: "moved" } });
    expect(row.status).toBe(to);
    const [stored] = await database.db.select().from(jobs).where(eq(jobs.id, job.id));
    expect(stored.status).toBe(to);
    expect(stored.eventSeq).toBe(row.eventSeq);

    const events = await database.db.select().from(jobEvents).where(eq(jobEvents.jobId, job.id));
    expect(events.map((e) => [e.seq, e.type, e.data.status])).toEqual([[1, `test.${to}`, to]]);

    const outbox = await database.db.select().from(jobQueueOutbox).where(eq(jobQueueOutbox.jobId, job.id));
    expect(outbox.map((o) => o.body)).toEqual(to === "queued" ? [{ job_id: job.id, attempt: 1 }] : []);

    const hooks = await database.db
      .select()
      .from(webhookEvents)
      .where(sql`${webhookEvents.payload} -> 'data' ->> 'id' = ${job.id}`);
    if (["succeeded", "failed", "cancelled"].includes(to)) {
      expect(hooks).toHaveLength(1);
      expect(hooks[0].type).toBe(`fine_tuning.job.${to}`);
      const data = hooks[0].payload.data as { status: string; finished_at: number | null };
      expect(data.status).toBe(to);
      expect(data.finished_at).toBeTypeOf("number");
      expect(stored.finishedAt).not.toBeNull();
    } else {
      expect(hooks).toHaveLength(0);
    }
    if (to === "cancelling") expect(stored.cancelRequestedAt).not.toBeNull();
    if (to === "queued") expect(stored.queuedAt).not.toBeNull();
    if (to === "running") expect(stored.startedAt).not.toBeNull();
  });

  it.each(illegal)("%s → %s is refused and changes nothing", async (from, to) => {
    const job = await insertJob(database.db, tenantId, datasetId, from);
    const err = await transitionJob(database.db, job.id, { from, to, event: { type: "never" } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IllegalTransitionError);
    expect((err as IllegalTransitionError).actual).toBe(from);
    const [stored] = await database.db.select().from(jobs).where(eq(jobs.id, job.id));
    expect(stored.status).toBe(from);
    expect(stored.updatedAt.getTime()).toBe(job.updatedAt.getTime());
    expect(await database.db.select().from(jobEvents).where(eq(jobEvents.jobId, job.id))).toHaveLength(0);
  });

  it("refuses a legal pair when the job is not in the expected state, naming the actual one", async () => {
    const job = await insertJob(database.db, tenantId, datasetId, "cancelled");
    const err = await transitionJob(database.db, job.id, { from: "queued", to: "running", event: { type: "x" } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IllegalTransitionError);
    expect((err as Error).message).toContain("is cancelled");
  });

  it("honours extraWhere (a lease guard) and names a missing job", async () => {
    const job = await insertJob(database.db, tenantId, datasetId, "running", { leaseOwner: "worker-a" });
    await expect(
      transitionJob(database.db, job.id, {
        from: "running",
        to: "succeeded",
        event: { type: "done" },
        extraWhere: eq(jobs.leaseOwner, "worker-b"),
      }),
    ).rejects.toBeInstanceOf(IllegalTransitionError);
    const done = await transitionJob(database.db, job.id, {
      from: "running",
      to: "succeeded",
      event: { type: "done" },
      set: { trainedTokens: 42 },
      extraWhere: eq(jobs.leaseOwner, "worker-a"),
    });
    expect(done.trainedTokens).toBe(42);
    expect(done.leaseOwner).toBeNull();
    const missing = await transitionJob(database.db, "ftjob_00000000000000000000000000", {
      from: "queued",
      to: "running",
      event: { type: "x" },
    }).catch((e: unknown) => e);
    expect((missing as IllegalTransitionError).actual).toBeNull();
  });

  it("lets exactly one of two racing transitions win", async () => {
    const job = await insertJob(database.db, tenantId, datasetId, "queued");
    const results = await Promise.allSettled([
      transitionJob(database.db, job.id, { from: "queued", to: "running", event: { type: "claimed" } }),
      transitionJob(database.db, job.id, { from: "queued", to: "cancelled", event: { type: "cancelled" } }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(IllegalTransitionError);
    const events = await database.db
      .select()
      .from(jobEvents)
      .where(and(eq(jobEvents.jobId, job.id)))
      .orderBy(asc(jobEvents.seq));
    expect(events).toHaveLength(1);
  });

  it("announces the first start of a job to webhooks, not its resumes", async () => {
    const job = await insertJob(database.db, tenantId, datasetId, "queued");
    const holder = { workerId: "worker-a", leaseSeconds: 60 };
    expect((await claimJob(database.db, job.id, holder)).kind).toBe("claimed");
    // The lease runs out (a crashed runner) and another runner resumes the job.
    await database.db
      .update(jobs)
      .set({ leaseExpiresAt: new Date(Date.now() - 1000) })
      .where(eq(jobs.id, job.id));
    expect((await claimJob(database.db, job.id, { ...holder, workerId: "worker-b" })).kind).toBe("claimed");
    const announced = await database.db
      .select({ type: webhookEvents.type })
      .from(webhookEvents)
      .where(sql`${webhookEvents.payload} -> 'data' ->> 'id' = ${job.id}`);
    expect(announced.map((e) => e.type)).toEqual(["fine_tuning.job.running"]);
  });
});
