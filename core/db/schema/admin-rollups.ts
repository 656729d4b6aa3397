import { sql } from "drizzle-orm";
import { bigint, doublePrecision, integer, pgView, text } from "drizzle-orm/pg-core";
import {
  failureCodesDailyBuckets,
  jobLatencyHourlyBuckets,
  jobsHourlyBuckets,
  queueBaseline,
  queueMovesHourlyBuckets,
  tenantDailyBuckets,
  webhookDailyBuckets,
} from "./admin-buckets.ts";
import { ts } from "./columns.ts";

/*
 * Time-series rollups for the admin dashboard and Grafana, over the last 30 days (UTC hours and days).
 * `tenant_id` NULL is the all-tenants row (GROUPING SETS), so a chart filters with
 * `tenant_id is not distinct from $tenant` and percentiles stay exact for "all".
 * Rows exist only for hours/days with activity; readers treat missing buckets as zero.
 * Each view is its stored closed buckets (admin-rollup-tables.ts) plus the open ones aggregated from raw rows
 * by the same query (admin-buckets.ts) over an index range from where the stored ones end.
 */

/** Hours before this are stored; NULL (never refreshed) leaves every bucket to the live query. */
export const CLOSED_BEFORE = `(select closed_before from admin_rollup_state)`;
/** Days before this are stored. */
export const CLOSED_DAY = `date_trunc('day', ${CLOSED_BEFORE}, 'UTC')`;
/** The start of the 30-day window, aligned to the hour so that the first bucket is whole. */
export const HOUR_WINDOW = `(date_trunc('hour', now(), 'UTC') - interval '30 days')`;
/** The start of the 30-day window of the daily views. */
export const DAY_WINDOW = `(date_trunc('day', now(), 'UTC') - interval '30 days')`;

/** Job state changes per hour: created, entered the queue, started, and ended by terminal status. */
export const adminJobsHourly = pgView("admin_jobs_hourly", {
  hour: ts("hour").notNull(),
  /** NULL: all tenants. */
  tenantId: text("tenant_id"),
  created: integer("created").notNull(),
  queued: integer("queued").notNull(),
  started: integer("started").notNull(),
  succeeded: integer("succeeded").notNull(),
  failed: integer("failed").notNull(),
  cancelled: integer("cancelled").notNull(),
  /** Tokens trained by the jobs that ended in this hour. */
  trainedTokens: bigint("trained_tokens", { mode: "number" }).notNull(),
  /** Runner time (`finished_at - started_at`) of the jobs that ended in this hour. */
  runnerSeconds: doublePrecision("runner_seconds").notNull(),
}).as(
  sql.raw(`
  select * from admin_jobs_hourly_rollup where hour >= ${HOUR_WINDOW} and hour < ${CLOSED_BEFORE}
  union all
  select * from (${jobsHourlyBuckets(`greatest(${CLOSED_BEFORE}, ${HOUR_WINDOW})`, "'infinity'")}) live
`),
);

/** Queue wait (start − enqueue) of the jobs started in each hour, run time of the jobs that ended in it. */
export const adminJobLatencyHourly = pgView("admin_job_latency_hourly", {
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
}).as(
  sql.raw(`
  select * from admin_job_latency_hourly_rollup where hour >= ${HOUR_WINDOW} and hour < ${CLOSED_BEFORE}
  union all
  select * from (${jobLatencyHourlyBuckets(`greatest(${CLOSED_BEFORE}, ${HOUR_WINDOW})`, "'infinity'")}) live
`),
);

/**
 * Queue depth at the end of each hour in which it changed: jobs that entered the queue and had not left it
 * (started, or ended without starting). The depth at the window's start is counted once, then the hourly
 * moves are summed; each part is an index range, never a scan of the jobs before the window.
 */
export const adminQueueDepthHourly = pgView("admin_queue_depth_hourly", {
  hour: ts("hour").notNull(),
  tenantId: text("tenant_id"),
  entered: integer("entered").notNull(),
  left: integer("left_queue").notNull(),
  depth: integer("depth").notNull(),
}).as(
  sql.raw(`
  with hourly as (
    select hour, tenant_id, entered, left_queue from admin_queue_moves_hourly_rollup
      where hour >= ${HOUR_WINDOW} and hour < ${CLOSED_BEFORE}
    union all
    select * from (${queueMovesHourlyBuckets(`greatest(${CLOSED_BEFORE}, ${HOUR_WINDOW})`, "'infinity'")}) live
  ),
  stored_baseline as (
    select tenant_id, n from admin_queue_baseline_rollup where window_start = ${HOUR_WINDOW}
  ),
  baseline as (
    select * from stored_baseline
    union all
    select * from (${queueBaseline(HOUR_WINDOW)}) live where not exists (select from stored_baseline)
  )
  select h.hour, h.tenant_id, h.entered, h.left_queue,
    (coalesce(b.n, 0) + sum(h.entered - h.left_queue) over (partition by h.tenant_id order by h.hour))::int as depth
  from hourly h
  left join baseline b on b.tenant_id is not distinct from h.tenant_id
`),
);

/** Per tenant and day: jobs ended, trained tokens and runner time, and the tenant's share of runner time. */
export const adminTenantDaily = pgView("admin_tenant_daily", {
  day: ts("day").notNull(),
  tenantId: text("tenant_id").notNull(),
  tenantName: text("tenant_name").notNull(),
  ended: integer("ended").notNull(),
  succeeded: integer("succeeded").notNull(),
  failed: integer("failed").notNull(),
  trainedTokens: bigint("trained_tokens", { mode: "number" }).notNull(),
  runnerSeconds: doublePrecision("runner_seconds").notNull(),
  /** This tenant's share of all runner time used that day (0–1). */
  runnerShare: doublePrecision("runner_share"),
}).as(
  sql.raw(`
  select d.day, d.tenant_id, t.name as tenant_name, d.ended, d.succeeded, d.failed, d.trained_tokens, d.runner_seconds,
    d.runner_seconds / nullif(sum(d.runner_seconds) over (partition by d.day), 0) as runner_share
  from (
    select * from admin_tenant_daily_rollup where day >= ${DAY_WINDOW} and day < ${CLOSED_DAY}
    union all
    select * from (${tenantDailyBuckets(`greatest(${CLOSED_DAY}, ${DAY_WINDOW})`, "'infinity'")}) live
  ) d
  join tenants t on t.id = d.tenant_id
`),
);

/** Failed jobs per day and error code (`jobs.error->>'code'`). */
export const adminFailureCodesDaily = pgView("admin_failure_codes_daily", {
  day: ts("day").notNull(),
  tenantId: text("tenant_id"),
  code: text("code").notNull(),
  failures: integer("failures").notNull(),
}).as(
  sql.raw(`
  select * from admin_failure_codes_daily_rollup where day >= ${DAY_WINDOW} and day < ${CLOSED_DAY}
  union all
  select * from (${failureCodesDailyBuckets(`greatest(${CLOSED_DAY}, ${DAY_WINDOW})`, "'infinity'")}) live
`),
);

/** Webhook delivery attempts per day: outcomes and latency, per endpoint, per tenant (endpoint NULL) and overall. */
export const adminWebhookDaily = pgView("admin_webhook_daily", {
  day: ts("day").notNull(),
  tenantId: text("tenant_id"),
  endpointId: text("endpoint_id"),
  attempts: integer("attempts").notNull(),
  /** Attempts answered with a 2xx status. */
  succeeded: integer("succeeded").notNull(),
  failed: integer("failed").notNull(),
  latencyP50Ms: doublePrecision("latency_p50_ms"),
  latencyP95Ms: doublePrecision("latency_p95_ms"),
  latencyMaxMs: integer("latency_max_ms"),
}).as(
  sql.raw(`
  select * from admin_webhook_daily_rollup where day >= ${DAY_WINDOW} and day < ${CLOSED_DAY}
  union all
  select * from (${webhookDailyBuckets(`greatest(${CLOSED_DAY}, ${DAY_WINDOW})`, "'infinity'")}) live
`),
);
