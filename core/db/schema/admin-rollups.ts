import { sql } from "drizzle-orm";
import { bigint, doublePrecision, integer, pgView, text } from "drizzle-orm/pg-core";
import { ts } from "./columns.ts";

/*
 * Time-series rollups for the admin dashboard and Grafana, over the last 30 days.
 * `tenant_id` NULL is the all-tenants row (GROUPING SETS), so a chart filters with
 * `tenant_id is not distinct from $tenant` and percentiles stay exact for "all".
 * Rows exist only for hours/days with activity; readers treat missing buckets as zero.
 * Every scan is a range on an indexed timestamp (see the `*_at_idx` indexes of jobs and webhook_attempts).
 */

/** The start of the 30-day window, aligned to the hour so that the first bucket is whole. */
const WINDOW_START = sql.raw(`date_trunc('hour', now()) - interval '30 days'`);

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
}).as(sql`
  select hour, tenant_id,
    count(*) filter (where kind = 'created')::int as created,
    count(*) filter (where kind = 'queued')::int as queued,
    count(*) filter (where kind = 'started')::int as started,
    count(*) filter (where kind = 'succeeded')::int as succeeded,
    count(*) filter (where kind = 'failed')::int as failed,
    count(*) filter (where kind = 'cancelled')::int as cancelled,
    coalesce(sum(tokens), 0)::bigint as trained_tokens,
    coalesce(sum(run_s), 0)::double precision as runner_seconds
  from (
    select date_trunc('hour', created_at) as hour, tenant_id, 'created' as kind, null::bigint as tokens, null::double precision as run_s
      from jobs where created_at >= ${WINDOW_START}
    union all
    select date_trunc('hour', queued_at), tenant_id, 'queued', null, null from jobs where queued_at >= ${WINDOW_START}
    union all
    select date_trunc('hour', started_at), tenant_id, 'started', null, null from jobs where started_at >= ${WINDOW_START}
    union all
    select date_trunc('hour', finished_at), tenant_id, status, trained_tokens, extract(epoch from finished_at - started_at)::double precision
      from jobs where finished_at >= ${WINDOW_START} and status in ('succeeded', 'failed', 'cancelled')
  ) e
  group by grouping sets ((hour, tenant_id), (hour))
`);

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
}).as(sql`
  select hour, tenant_id,
    count(wait_s)::int as started,
    percentile_cont(0.5) within group (order by wait_s) as queue_wait_p50_s,
    percentile_cont(0.95) within group (order by wait_s) as queue_wait_p95_s,
    max(wait_s) as queue_wait_max_s,
    count(run_s)::int as ended,
    percentile_cont(0.5) within group (order by run_s) as run_p50_s,
    percentile_cont(0.95) within group (order by run_s) as run_p95_s,
    max(run_s) as run_max_s
  from (
    select date_trunc('hour', started_at) as hour, tenant_id,
      extract(epoch from started_at - coalesce(queued_at, created_at))::double precision as wait_s, null::double precision as run_s
      from jobs where started_at >= ${WINDOW_START}
    union all
    select date_trunc('hour', finished_at), tenant_id, null, extract(epoch from finished_at - started_at)::double precision
      from jobs where finished_at >= ${WINDOW_START} and started_at is not null
  ) l
  group by grouping sets ((hour, tenant_id), (hour))
`);

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
}).as(sql`
  with moves as (
    select date_trunc('hour', queued_at) as hour, tenant_id, 1 as entered, 0 as left_queue
      from jobs where queued_at >= ${WINDOW_START}
    union all
    select date_trunc('hour', started_at), tenant_id, 0, 1
      from jobs where started_at >= ${WINDOW_START} and queued_at is not null
    union all
    select date_trunc('hour', finished_at), tenant_id, 0, 1
      from jobs where finished_at >= ${WINDOW_START} and started_at is null and queued_at is not null
  ),
  at_start as (
    select tenant_id from jobs where started_at >= ${WINDOW_START} and queued_at < ${WINDOW_START}
    union all
    select tenant_id from jobs
      where finished_at >= ${WINDOW_START} and started_at is null and queued_at < ${WINDOW_START}
    union all
    select tenant_id from jobs
      where status in ('validating_files', 'queued') and started_at is null and queued_at < ${WINDOW_START}
  ),
  baseline as (
    select tenant_id, count(*)::int as n from at_start group by grouping sets ((tenant_id), ())
  ),
  hourly as (
    select hour, tenant_id, sum(entered)::int as entered, sum(left_queue)::int as left_queue
    from moves group by grouping sets ((hour, tenant_id), (hour))
  )
  select h.hour, h.tenant_id, h.entered, h.left_queue,
    (coalesce(b.n, 0) + sum(h.entered - h.left_queue) over (partition by h.tenant_id order by h.hour))::int as depth
  from hourly h
  left join baseline b on b.tenant_id is not distinct from h.tenant_id
`);

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
}).as(sql`
  select d.day, d.tenant_id, t.name as tenant_name, d.ended, d.succeeded, d.failed, d.trained_tokens, d.runner_seconds,
    d.runner_seconds / nullif(sum(d.runner_seconds) over (partition by d.day), 0) as runner_share
  from (
    select date_trunc('day', finished_at) as day, tenant_id,
      count(*)::int as ended,
      count(*) filter (where status = 'succeeded')::int as succeeded,
      count(*) filter (where status = 'failed')::int as failed,
      coalesce(sum(trained_tokens), 0)::bigint as trained_tokens,
      coalesce(sum(extract(epoch from finished_at - started_at)), 0)::double precision as runner_seconds
    from jobs
    where finished_at >= date_trunc('day', now()) - interval '30 days' and status in ('succeeded', 'failed', 'cancelled')
    group by 1, 2
  ) d
  join tenants t on t.id = d.tenant_id
`);

/** Failed jobs per day and error code (`jobs.error->>'code'`). */
export const adminFailureCodesDaily = pgView("admin_failure_codes_daily", {
  day: ts("day").notNull(),
  tenantId: text("tenant_id"),
  code: text("code").notNull(),
  failures: integer("failures").notNull(),
}).as(sql`
  select date_trunc('day', finished_at) as day, tenant_id, coalesce(error->>'code', 'unknown') as code,
    count(*)::int as failures
  from jobs
  where finished_at >= date_trunc('day', now()) - interval '30 days' and status = 'failed'
  group by grouping sets ((1, tenant_id, 3), (1, 3))
`);

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
}).as(sql`
  select date_trunc('day', a.started_at) as day, d.tenant_id, d.endpoint_id,
    count(*)::int as attempts,
    count(*) filter (where a.status_code between 200 and 299)::int as succeeded,
    count(*) filter (where a.status_code is null or a.status_code not between 200 and 299)::int as failed,
    percentile_cont(0.5) within group (order by a.latency_ms) as latency_p50_ms,
    percentile_cont(0.95) within group (order by a.latency_ms) as latency_p95_ms,
    max(a.latency_ms) as latency_max_ms
  from webhook_attempts a
  join webhook_deliveries d on d.id = a.delivery_id
  where a.started_at >= date_trunc('day', now()) - interval '30 days'
  group by grouping sets ((1, d.tenant_id, d.endpoint_id), (1, d.tenant_id), (1))
`);
