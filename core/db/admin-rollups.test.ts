import { isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedAdminData, type AdminSeed, type SeededJob } from "../../test/admin/seed-admin.ts";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/test-db.ts";
import {
  adminFailureCodesDaily,
  adminGatedJobs,
  adminJobLatencyHourly,
  adminJobsHourly,
  adminQueueDepthHourly,
  adminSafetyBySafeguard,
  adminTenantDaily,
  adminTenantSafety,
  adminWebhookDaily,
  tenants,
} from "./schema.ts";

/** percentile_cont: linear interpolation between the closest ranks. */
function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const rank = p * (s.length - 1);
  const lo = Math.floor(rank);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (rank - lo);
}
const hourOf = (d: Date) => Math.floor(d.getTime() / 3_600_000) * 3_600_000;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const mean = (xs: number[]) => sum(xs) / xs.length;

describe(`admin rollup and safety views on ${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"}`, () => {
  let database: TestDatabase;
  let seed: AdminSeed;
  const ended = (j: SeededJob) => j.finishedAt !== null;
  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insert(tenants).values([
      { id: "ten_acme", name: "acme" },
      { id: "ten_globex", name: "globex" },
    ]);
    seed = await seedAdminData(database.db);
  });
  afterAll(() => database?.close());

  it("admin_jobs_hourly counts each state change once, per tenant and for all tenants", async () => {
    const all = await database.db.select().from(adminJobsHourly).where(isNull(adminJobsHourly.tenantId));
    const perTenant = (await database.db.select().from(adminJobsHourly)).filter((r) => r.tenantId !== null);
    for (const rows of [all, perTenant]) {
      expect(sum(rows.map((r) => r.created))).toBe(seed.jobs.length);
      expect(sum(rows.map((r) => r.started))).toBe(seed.jobs.filter((j) => j.startedAt).length);
      expect(sum(rows.map((r) => r.succeeded))).toBe(seed.jobs.filter((j) => j.status === "succeeded").length);
      expect(sum(rows.map((r) => r.failed))).toBe(seed.jobs.filter((j) => j.status === "failed").length);
      expect(sum(rows.map((r) => r.cancelled))).toBe(seed.jobs.filter((j) => j.status === "cancelled").length);
      expect(sum(rows.map((r) => r.trainedTokens))).toBe(sum(seed.jobs.filter(ended).map((j) => j.trainedTokens)));
    }
    const first = seed.jobs[5];
    const row = all.find((r) => r.hour.getTime() === hourOf(first.createdAt))!;
    expect(row.created).toBe(seed.jobs.filter((j) => hourOf(j.createdAt) === hourOf(first.createdAt)).length);
  });

  it("admin_job_latency_hourly reports exact queue-wait and run-time percentiles", async () => {
    const all = await database.db.select().from(adminJobLatencyHourly).where(isNull(adminJobLatencyHourly.tenantId));
    const started = seed.jobs.filter((j) => j.startedAt);
    expect(sum(all.map((r) => r.started))).toBe(started.length);
    const busiest = all.reduce((a, b) => (b.started > a.started ? b : a));
    const waits = started
      .filter((j) => hourOf(j.startedAt!) === busiest.hour.getTime())
      .map((j) => (j.startedAt!.getTime() - j.queuedAt.getTime()) / 1000);
    expect(busiest.queueWaitP50S).toBeCloseTo(percentile(waits, 0.5), 6);
    expect(busiest.queueWaitP95S).toBeCloseTo(percentile(waits, 0.95), 6);
    const runs = seed.jobs.filter((j) => j.startedAt && j.finishedAt);
    expect(sum(all.map((r) => r.ended))).toBe(runs.length);
  });

  it("admin_queue_depth_hourly ends at the number of jobs still waiting", async () => {
    const rows = await database.db.select().from(adminQueueDepthHourly).where(isNull(adminQueueDepthHourly.tenantId));
    const last = rows.reduce((a, b) => (b.hour > a.hour ? b : a));
    expect(last.depth).toBe(seed.jobs.filter((j) => !j.startedAt && !j.finishedAt).length);
    expect(sum(rows.map((r) => r.entered))).toBe(seed.jobs.length);
    expect(rows.every((r) => r.depth >= 0)).toBe(true);
  });

  it("admin_tenant_daily splits tokens and runner time by tenant, shares summing to 1 per day", async () => {
    const rows = await database.db.select().from(adminTenantDaily);
    expect(sum(rows.map((r) => r.trainedTokens))).toBe(sum(seed.jobs.filter(ended).map((j) => j.trainedTokens)));
    const runnerSeconds = sum(
      seed.jobs
        .filter((j) => j.startedAt && j.finishedAt)
        .map((j) => (j.finishedAt!.getTime() - j.startedAt!.getTime()) / 1000),
    );
    expect(sum(rows.map((r) => r.runnerSeconds))).toBeCloseTo(runnerSeconds, 3);
    for (const day of new Set(rows.map((r) => r.day.getTime()))) {
      expect(sum(rows.filter((r) => r.day.getTime() === day).map((r) => r.runnerShare ?? 0))).toBeCloseTo(1, 9);
    }
  });

  it("admin_failure_codes_daily counts failures by error code", async () => {
    const rows = await database.db.select().from(adminFailureCodesDaily).where(isNull(adminFailureCodesDaily.tenantId));
    for (const code of ["misalignment_gate", "out_of_memory", "dataset_unavailable"]) {
      const expected = seed.jobs.filter((j) => j.errorCode === code).length;
      expect(expected).toBeGreaterThan(0);
      expect(sum(rows.filter((r) => r.code === code).map((r) => r.failures))).toBe(expected);
    }
  });

  it("admin_webhook_daily reports attempts, 2xx share and latency percentiles", async () => {
    const rows = await database.db.select().from(adminWebhookDaily);
    const overall = rows.filter((r) => r.tenantId === null);
    expect(sum(overall.map((r) => r.attempts))).toBe(seed.attempts.length);
    expect(sum(overall.map((r) => r.succeeded))).toBe(seed.attempts.filter((a) => a.statusCode === 200).length);
    const endpoint = seed.attempts[0].endpointId;
    const today = rows.find(
      (r) => r.endpointId === endpoint && r.day.getTime() === Math.max(...overall.map((o) => o.day.getTime())),
    )!;
    const latencies = seed.attempts
      .filter((a) => a.endpointId === endpoint && a.startedAt >= today.day)
      .map((a) => a.latencyMs);
    expect(today.latencyP50Ms).toBeCloseTo(percentile(latencies, 0.5), 6);
  });

  it("admin_safety_by_safeguard compares misalignment before and after per safeguard type", async () => {
    const rows = await database.db.select().from(adminSafetyBySafeguard).where(isNull(adminSafetyBySafeguard.tenantId));
    for (const type of ["none", "kl", "interleave", "inoculation", "ldifs"]) {
      const jobsOf = seed.jobs.filter(
        (j) =>
          ended(j) &&
          j.status !== "cancelled" &&
          (type === "none" ? j.safeguards.length === 0 : j.safeguards.includes(type)),
      );
      const judged = jobsOf.filter((j) => j.judge);
      const row = rows.find((r) => r.safeguardType === type)!;
      expect(row.jobs).toBe(jobsOf.length);
      expect(row.judgedJobs).toBe(judged.length);
      expect(row.gateFailed).toBe(judged.filter((j) => j.gatePassed === false).length);
      expect(row.judgeMisalignedBeforeMean).toBeCloseTo(mean(judged.map((j) => j.judge!.before)), 9);
      expect(row.judgeIncreaseWorst).toBeCloseTo(Math.max(...judged.map((j) => j.judge!.after - j.judge!.before)), 9);
      expect(row.incoherenceRiseMean).toBeCloseTo(
        mean(judged.map((j) => j.judge!.incoherentAfter - j.judge!.incoherentBefore)),
        9,
      );
    }
    const none = rows.find((r) => r.safeguardType === "none")!;
    const kl = rows.find((r) => r.safeguardType === "kl")!;
    expect(none.judgeIncreaseMean!).toBeGreaterThan(kl.judgeIncreaseMean!);
    const interleave = rows.find((r) => r.safeguardType === "interleave")!;
    expect(interleave.pplGapJobs).toBe(interleave.judgedJobs);
    expect(interleave.pplGapCandidatesMean).toBe(500);
    expect(interleave.pplGapDistinctRatio).toBe(1);
  });

  it("admin_gated_jobs and admin_tenant_safety list each tenant's gated jobs with the gate's evidence", async () => {
    const gated = await database.db.select().from(adminGatedJobs);
    expect(gated.length).toBe(seed.jobs.filter((j) => j.gatePassed !== null).length);
    const failedGate = gated.find((g) => g.jobId === seed.gatedJobId)!;
    expect(failedGate).toMatchObject({ passed: false, status: "failed", adapterWithheld: true, threshold: 0.1 });
    expect(failedGate.increase!).toBeGreaterThan(0.1);
    expect(failedGate.examples!.length).toBeGreaterThan(0);
    const perTenant = await database.db.select().from(adminTenantSafety);
    for (const t of perTenant) {
      const mine = seed.jobs.filter((j) => j.tenantId === t.tenantId && j.gatePassed !== null);
      expect(t.gatedJobs).toBe(mine.length);
      expect(t.gateFailed).toBe(mine.filter((j) => j.gatePassed === false).length);
      expect(t.adaptersWithheld).toBe(t.gateFailed);
    }
  });
});
