import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertDataset, insertJob } from "../../test/jobs/job-fixtures.ts";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/test-db.ts";
import type { Database } from "./database.ts";
import {
  adminJobFailures,
  adminQueueHealth,
  adminTenantUsage,
  adminWebhookHealth,
  jobQueueOutbox,
  tenants,
  webhookDeliveries,
  webhookEndpoints,
  webhookEvents,
} from "./schema.ts";

const VIEWS = ["admin_job_failures", "admin_queue_health", "admin_tenant_usage", "admin_webhook_health"];
const SECOND = 1000;
const ago = (ms: number) => new Date(Date.now() - ms);
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;

async function seed(db: Database): Promise<void> {
  await db.insert(tenants).values([
    { id: "ten_a", name: "acme" },
    { id: "ten_b", name: "beta" },
    { id: "ten_c", name: "idle" },
  ]);
  const ds = await insertDataset(db, "ten_a");
  await insertDataset(db, "ten_a");
  await insertDataset(db, "ten_a", { status: "invalid" });
  await insertDataset(db, "ten_a", { status: "validating" });
  const dsB = await insertDataset(db, "ten_b");

  const queued = await insertJob(db, "ten_a", ds, "queued", { queuedAt: ago(600 * SECOND) });
  await insertJob(db, "ten_a", ds, "queued", { queuedAt: ago(60 * SECOND) });
  await insertJob(db, "ten_a", ds, "running", { leaseExpiresAt: ago(30 * SECOND) });
  await insertJob(db, "ten_a", ds, "running", { leaseExpiresAt: new Date(Date.now() + 60 * SECOND) });
  await insertJob(db, "ten_a", ds, "cancelling");
  for (const [seconds, tokens] of [
    [100, 10],
    [200, 20],
    [1000, 30],
  ]) {
    const finishedAt = ago(HOUR);
    const startedAt = new Date(finishedAt.getTime() - seconds * SECOND);
    await insertJob(db, "ten_a", ds, "succeeded", {
      startedAt,
      finishedAt,
      trainedTokens: tokens,
      createdAt: ago(2 * DAY),
    });
  }
  const failed = (code: string, message: string, at: Date) => ({
    error: { code, message, param: null },
    finishedAt: at,
  });
  await insertJob(db, "ten_a", ds, "failed", failed("out_of_memory", "old", ago(8 * DAY)));
  await insertJob(db, "ten_a", ds, "failed", failed("out_of_memory", "first", ago(5 * HOUR)));
  await insertJob(db, "ten_b", dsB, "failed", failed("out_of_memory", "latest", ago(HOUR)));
  await insertJob(db, "ten_b", dsB, "failed", failed("dataset_invalid", "bad rows", ago(2 * DAY)));

  await db.insert(jobQueueOutbox).values([
    { jobId: queued.id, attempt: 1, body: {}, createdAt: ago(300 * SECOND) },
    { jobId: queued.id, attempt: 2, body: {}, createdAt: ago(10 * SECOND) },
    { jobId: queued.id, attempt: 0, body: {}, createdAt: ago(DAY), sentAt: ago(DAY) },
  ]);

  const endpoint = (id: string, tenantId: string, extra: Partial<typeof webhookEndpoints.$inferInsert> = {}) => ({
    id,
    tenantId,
    url: `https://example.com/${id}`,
    events: ["*"],
    secret: "whsec_x",
    ...extra,
  });
  await db
    .insert(webhookEndpoints)
    .values([
      endpoint("we_ok", "ten_a"),
      endpoint("we_off", "ten_b", { enabled: false, disabledReason: "failing", failingSince: ago(6 * DAY) }),
      endpoint("we_gone", "ten_a", { deletedAt: ago(HOUR) }),
    ]);
  await db.insert(webhookEvents).values({ id: "msg_1", tenantId: "ten_a", type: "t", payload: {} });
  const delivery = (id: string, status: "pending" | "succeeded" | "failed", at: Date, endpointId = "we_ok") => ({
    id,
    eventId: "msg_1",
    endpointId,
    tenantId: "ten_a",
    status,
    createdAt: at,
    lastAttemptAt: status === "pending" ? null : at,
    deliveredAt: status === "succeeded" ? at : null,
  });
  await db
    .insert(webhookDeliveries)
    .values([
      delivery("wd_1", "pending", ago(2 * DAY)),
      delivery("wd_2", "succeeded", ago(HOUR)),
      delivery("wd_3", "succeeded", ago(2 * HOUR)),
      delivery("wd_4", "succeeded", ago(2 * DAY)),
      delivery("wd_5", "failed", ago(HOUR)),
      delivery("wd_6", "failed", ago(HOUR), "we_off"),
      delivery("wd_7", "failed", ago(3 * DAY), "we_off"),
    ]);
}

describe(`admin views on ${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"}`, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
    await seed(database.db);
  });
  afterAll(() => database?.close());

  it("are created by the migrations", async () => {
    const result = (await database.db.execute(
      sql`select table_name from information_schema.views where table_schema = 'public' order by table_name`,
    )) as unknown as { rows: Array<{ table_name: string }> };
    expect(result.rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(VIEWS));
  });

  it("admin_tenant_usage counts jobs, tokens, durations and datasets per tenant", async () => {
    const rows = await database.db.select().from(adminTenantUsage).orderBy(adminTenantUsage.tenantName);
    expect(rows.map((r) => r.tenantName)).toEqual(["acme", "beta", "idle"]);
    const [acme, beta, idle] = rows;
    expect(acme).toMatchObject({
      tenantId: "ten_a",
      jobsTotal: 10,
      jobsValidatingFiles: 0,
      jobsQueued: 2,
      jobsRunning: 2,
      jobsCancelling: 1,
      jobsSucceeded: 3,
      jobsFailed: 2,
      jobsCancelled: 0,
      // The three succeeded jobs were created two days ago.
      jobsLast24h: 7,
      trainedTokens: 60,
      datasetsReady: 2,
      datasetsInvalid: 1,
    });
    expect(acme.medianJobDurationS).toBeCloseTo(200, 6);
    // Linear interpolation at 0.95 · (3 − 1) = 1.9 between 200 and 1000.
    expect(acme.p95JobDurationS).toBeCloseTo(920, 6);
    expect(beta).toMatchObject({
      jobsTotal: 2,
      jobsFailed: 2,
      trainedTokens: 0,
      datasetsReady: 1,
      medianJobDurationS: null,
    });
    expect(idle).toMatchObject({
      jobsTotal: 0,
      jobsLast24h: 0,
      trainedTokens: 0,
      datasetsReady: 0,
      p95JobDurationS: null,
    });
  });

  it("admin_queue_health is one row about queued, running and unsent work", async () => {
    const rows = await database.db.select().from(adminQueueHealth);
    expect(rows).toHaveLength(1);
    const [q] = rows;
    expect(q).toMatchObject({ queuedJobs: 2, runningJobs: 2, expiredLeaseJobs: 1, cancellingJobs: 1, unsentOutbox: 2 });
    expect(q.oldestQueuedAgeS).toBeGreaterThanOrEqual(599);
    expect(q.oldestQueuedAgeS).toBeLessThan(660);
    expect(q.oldestUnsentOutboxAgeS).toBeGreaterThanOrEqual(299);
    expect(q.oldestUnsentOutboxAgeS).toBeLessThan(360);
  });

  it("admin_job_failures groups the last 7 days of failures by error code", async () => {
    const rows = await database.db.select().from(adminJobFailures).orderBy(adminJobFailures.code);
    expect(
      rows.map(({ code, failures, tenants: t, lastMessage }) => ({ code, failures, tenants: t, lastMessage })),
    ).toEqual([
      { code: "dataset_invalid", failures: 1, tenants: 1, lastMessage: "bad rows" },
      { code: "out_of_memory", failures: 2, tenants: 2, lastMessage: "latest" },
    ]);
    const oom = rows[1];
    expect(oom.lastFailedAt).toBeInstanceOf(Date);
    expect(Math.abs(oom.lastFailedAt.getTime() - ago(HOUR).getTime())).toBeLessThan(60 * SECOND);
  });

  it("admin_webhook_health reports each live endpoint and its deliveries", async () => {
    const rows = await database.db.select().from(adminWebhookHealth).orderBy(adminWebhookHealth.endpointId);
    expect(rows.map((r) => r.endpointId)).toEqual(["we_off", "we_ok"]);
    const [off, ok] = rows;
    expect(ok).toMatchObject({
      tenantName: "acme",
      url: "https://example.com/we_ok",
      enabled: true,
      disabledReason: null,
      deliveriesPending: 1,
      deliveriesSucceeded24h: 2,
      deliveriesFailed24h: 1,
      failingSince: null,
    });
    expect(off).toMatchObject({
      tenantName: "beta",
      enabled: false,
      disabledReason: "failing",
      deliveriesFailed24h: 1,
    });
    expect(off.failingSince).toBeInstanceOf(Date);
  });
});
