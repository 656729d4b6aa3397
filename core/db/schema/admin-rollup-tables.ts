import { bigint, boolean, check, doublePrecision, index, integer, pgTable, text } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { ts } from "./columns.ts";
import { SAFETY_PARTIAL_COLUMNS } from "./admin-safety-buckets.ts";

/*
 * Stored buckets of the admin views. Only closed buckets are stored (hours before
 * `admin_rollup_state.closed_before`, days before its day); the views add the open ones from raw rows. The
 * refresh (core/db/admin-rollups/refresh.ts) fills them; a trigger on `jobs` and `webhook_attempts` records
 * the buckets a late change touched in `admin_rollup_dirty` so that the next refresh recomputes them.
 * No grant: the read-only role reads them only through the views. Columns mirror the views' (see there).
 */

/** One row: up to where buckets are stored, and when the last refresh ran. */
export const adminRollupState = pgTable(
  "admin_rollup_state",
  {
    singleton: boolean("singleton").primaryKey().default(true),
    /** Start of the open hour at the last refresh: hours before it (and days before its day) are stored. */
    closedBefore: ts("closed_before").notNull(),
    /** When the last refresh committed. */
    refreshedAt: ts("refreshed_at").notNull(),
  },
  (t) => [check("admin_rollup_state_singleton", sql`${t.singleton}`)],
);

/**
 * Hours whose rows changed (written by the trigger, consumed by the refresh). `hour` NULL with a tenant: a
 * job of that tenant entered or left `succeeded`, so its duration percentiles need recomputing.
 * No key: concurrent job updates append without waiting on each other.
 */
export const adminRollupDirty = pgTable("admin_rollup_dirty", {
  hour: ts("hour"),
  tenantId: text("tenant_id"),
});

export const adminJobsHourlyRollup = pgTable(
  "admin_jobs_hourly_rollup",
  {
    hour: ts("hour").notNull(),
    tenantId: text("tenant_id"),
    created: integer("created").notNull(),
    queued: integer("queued").notNull(),
    started: integer("started").notNull(),
    succeeded: integer("succeeded").notNull(),
    failed: integer("failed").notNull(),
    cancelled: integer("cancelled").notNull(),
    trainedTokens: bigint("trained_tokens", { mode: "number" }).notNull(),
    runnerSeconds: doublePrecision("runner_seconds").notNull(),
  },
  (t) => [index("admin_jobs_hourly_rollup_hour_idx").on(t.hour, t.tenantId)],
);

export const adminJobLatencyHourlyRollup = pgTable(
  "admin_job_latency_hourly_rollup",
  {
    hour: ts("hour").notNull(),
    tenantId: text("tenant_id"),
    started: integer("started").notNull(),
    queueWaitP50S: doublePrecision("queue_wait_p50_s"),
    queueWaitP95S: doublePrecision("queue_wait_p95_s"),
    queueWaitMaxS: doublePrecision("queue_wait_max_s"),
    ended: integer("ended").notNull(),
    runP50S: doublePrecision("run_p50_s"),
    runP95S: doublePrecision("run_p95_s"),
    runMaxS: doublePrecision("run_max_s"),
  },
  (t) => [index("admin_job_latency_hourly_rollup_hour_idx").on(t.hour, t.tenantId)],
);

export const adminQueueMovesHourlyRollup = pgTable(
  "admin_queue_moves_hourly_rollup",
  {
    hour: ts("hour").notNull(),
    tenantId: text("tenant_id"),
    entered: integer("entered").notNull(),
    left: integer("left_queue").notNull(),
  },
  (t) => [index("admin_queue_moves_hourly_rollup_hour_idx").on(t.hour, t.tenantId)],
);

/** Queue depth at a window start (the view's first hour), per tenant and for all (NULL). */
export const adminQueueBaselineRollup = pgTable(
  "admin_queue_baseline_rollup",
  {
    windowStart: ts("window_start").notNull(),
    tenantId: text("tenant_id"),
    n: integer("n").notNull(),
  },
  (t) => [index("admin_queue_baseline_rollup_window_idx").on(t.windowStart)],
);

export const adminTenantDailyRollup = pgTable(
  "admin_tenant_daily_rollup",
  {
    day: ts("day").notNull(),
    tenantId: text("tenant_id").notNull(),
    ended: integer("ended").notNull(),
    succeeded: integer("succeeded").notNull(),
    failed: integer("failed").notNull(),
    trainedTokens: bigint("trained_tokens", { mode: "number" }).notNull(),
    runnerSeconds: doublePrecision("runner_seconds").notNull(),
  },
  (t) => [index("admin_tenant_daily_rollup_day_idx").on(t.day)],
);

export const adminFailureCodesDailyRollup = pgTable(
  "admin_failure_codes_daily_rollup",
  {
    day: ts("day").notNull(),
    tenantId: text("tenant_id"),
    code: text("code").notNull(),
    failures: integer("failures").notNull(),
  },
  (t) => [index("admin_failure_codes_daily_rollup_day_idx").on(t.day)],
);

export const adminWebhookDailyRollup = pgTable(
  "admin_webhook_daily_rollup",
  {
    day: ts("day").notNull(),
    tenantId: text("tenant_id"),
    endpointId: text("endpoint_id"),
    attempts: integer("attempts").notNull(),
    succeeded: integer("succeeded").notNull(),
    failed: integer("failed").notNull(),
    latencyP50Ms: doublePrecision("latency_p50_ms"),
    latencyP95Ms: doublePrecision("latency_p95_ms"),
    latencyMaxMs: integer("latency_max_ms"),
  },
  (t) => [index("admin_webhook_daily_rollup_day_idx").on(t.day)],
);

/** Jobs by current status and trained tokens per tenant and creation day (all days, not only 30). */
export const adminTenantUsageDailyRollup = pgTable(
  "admin_tenant_usage_daily_rollup",
  {
    day: ts("day").notNull(),
    tenantId: text("tenant_id").notNull(),
    jobsTotal: integer("jobs_total").notNull(),
    jobsValidatingFiles: integer("jobs_validating_files").notNull(),
    jobsQueued: integer("jobs_queued").notNull(),
    jobsRunning: integer("jobs_running").notNull(),
    jobsCancelling: integer("jobs_cancelling").notNull(),
    jobsSucceeded: integer("jobs_succeeded").notNull(),
    jobsFailed: integer("jobs_failed").notNull(),
    jobsCancelled: integer("jobs_cancelled").notNull(),
    trainedTokens: bigint("trained_tokens", { mode: "number" }).notNull(),
  },
  (t) => [index("admin_tenant_usage_daily_rollup_day_idx").on(t.day, t.tenantId)],
);

/** The same per tenant, summed over every stored day (what the view reads; the days are what the refresh updates). */
export const adminTenantUsageRollup = pgTable("admin_tenant_usage_rollup", {
  tenantId: text("tenant_id").primaryKey(),
  jobsTotal: integer("jobs_total").notNull(),
  jobsValidatingFiles: integer("jobs_validating_files").notNull(),
  jobsQueued: integer("jobs_queued").notNull(),
  jobsRunning: integer("jobs_running").notNull(),
  jobsCancelling: integer("jobs_cancelling").notNull(),
  jobsSucceeded: integer("jobs_succeeded").notNull(),
  jobsFailed: integer("jobs_failed").notNull(),
  jobsCancelled: integer("jobs_cancelled").notNull(),
  trainedTokens: bigint("trained_tokens", { mode: "number" }).notNull(),
});

/**
 * Median and p95 duration of each tenant's succeeded jobs, all time, as of the last refresh: a percentile of
 * a growing set cannot be assembled from buckets, so it is recomputed for the tenants whose set changed.
 */
export const adminTenantDurationsRollup = pgTable("admin_tenant_durations_rollup", {
  tenantId: text("tenant_id").primaryKey(),
  medianJobDurationS: doublePrecision("median_job_duration_s"),
  p95JobDurationS: doublePrecision("p95_job_duration_s"),
});

export const adminTenantSafetyDailyRollup = pgTable(
  "admin_tenant_safety_daily_rollup",
  {
    day: ts("day").notNull(),
    tenantId: text("tenant_id").notNull(),
    gatedJobs: integer("gated_jobs").notNull(),
    gateFailed: integer("gate_failed").notNull(),
    adaptersWithheld: integer("adapters_withheld").notNull(),
    worstIncrease: doublePrecision("worst_increase"),
    lastGateFailureAt: ts("last_gate_failure_at"),
  },
  (t) => [index("admin_tenant_safety_daily_rollup_day_idx").on(t.day)],
);

/** Counts are integers, sums and maxima double precision (see admin-safety-buckets.ts). */
const safetyPartialColumns = Object.fromEntries(
  SAFETY_PARTIAL_COLUMNS.map((c) => [
    c,
    c.endsWith("_sum") || c.endsWith("_max") ? doublePrecision(c) : integer(c).notNull(),
  ]),
);

export const adminSafetyDailyRollup = pgTable(
  "admin_safety_daily_rollup",
  {
    day: ts("day").notNull(),
    safeguardType: text("safeguard_type").notNull(),
    tenantId: text("tenant_id").notNull(),
    ...safetyPartialColumns,
  },
  (t) => [index("admin_safety_daily_rollup_day_idx").on(t.day)],
);
