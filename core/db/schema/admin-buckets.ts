/*
 * The bucket queries behind the admin time series: each aggregates the raw rows whose timestamp lies in
 * [lo, hi) into hour or day buckets. The refresh (core/db/admin-rollups/refresh.ts) stores them for closed
 * buckets; the views add the open ones by running the same query from the end of the stored range. One
 * definition for both is what keeps a stored bucket equal to the live one.
 * `lo` and `hi` are SQL expressions (a literal, a sub-select, `'infinity'`), spliced as written.
 */

/** Job state changes per hour: created, entered the queue, started, ended by terminal status. */
export const jobsHourlyBuckets = (lo: string, hi: string) => `
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
    select date_trunc('hour', created_at, 'UTC') as hour, tenant_id, 'created' as kind, null::bigint as tokens, null::double precision as run_s
      from jobs where created_at >= ${lo} and created_at < ${hi}
    union all
    select date_trunc('hour', queued_at, 'UTC'), tenant_id, 'queued', null, null from jobs where queued_at >= ${lo} and queued_at < ${hi}
    union all
    select date_trunc('hour', started_at, 'UTC'), tenant_id, 'started', null, null from jobs where started_at >= ${lo} and started_at < ${hi}
    union all
    select date_trunc('hour', finished_at, 'UTC'), tenant_id, status, trained_tokens, extract(epoch from finished_at - started_at)::double precision
      from jobs where finished_at >= ${lo} and finished_at < ${hi} and status in ('succeeded', 'failed', 'cancelled')
  ) e
  group by grouping sets ((hour, tenant_id), (hour))`;

/** Queue wait of the jobs started in each hour, run time of the jobs that ended in it (percentiles per bucket). */
export const jobLatencyHourlyBuckets = (lo: string, hi: string) => `
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
    select date_trunc('hour', started_at, 'UTC') as hour, tenant_id,
      extract(epoch from started_at - coalesce(queued_at, created_at))::double precision as wait_s, null::double precision as run_s
      from jobs where started_at >= ${lo} and started_at < ${hi}
    union all
    select date_trunc('hour', finished_at, 'UTC'), tenant_id, null, extract(epoch from finished_at - started_at)::double precision
      from jobs where finished_at >= ${lo} and finished_at < ${hi} and started_at is not null
  ) l
  group by grouping sets ((hour, tenant_id), (hour))`;

/** Jobs that entered the queue and that left it (started, or ended without starting) per hour. */
export const queueMovesHourlyBuckets = (lo: string, hi: string) => `
  select hour, tenant_id, sum(entered)::int as entered, sum(left_queue)::int as left_queue
  from (
    select date_trunc('hour', queued_at, 'UTC') as hour, tenant_id, 1 as entered, 0 as left_queue
      from jobs where queued_at >= ${lo} and queued_at < ${hi}
    union all
    select date_trunc('hour', started_at, 'UTC'), tenant_id, 0, 1
      from jobs where started_at >= ${lo} and started_at < ${hi} and queued_at is not null
    union all
    select date_trunc('hour', finished_at, 'UTC'), tenant_id, 0, 1
      from jobs where finished_at >= ${lo} and finished_at < ${hi} and started_at is null and queued_at is not null
  ) m
  group by grouping sets ((hour, tenant_id), (hour))`;

/**
 * Queue depth at `windowStart`, per tenant and for all (NULL): the SQL function `admin_queue_baseline`
 * (migrations/0004_admin_rollup_functions.sql), so that the view's fallback is planned as the small set it is.
 */
export const queueBaseline = (windowStart: string) => `select * from admin_queue_baseline(${windowStart})`;

/** Per tenant and day: jobs ended, trained tokens and runner time. */
export const tenantDailyBuckets = (lo: string, hi: string) => `
  select date_trunc('day', finished_at, 'UTC') as day, tenant_id,
    count(*)::int as ended,
    count(*) filter (where status = 'succeeded')::int as succeeded,
    count(*) filter (where status = 'failed')::int as failed,
    coalesce(sum(trained_tokens), 0)::bigint as trained_tokens,
    coalesce(sum(extract(epoch from finished_at - started_at)), 0)::double precision as runner_seconds
  from jobs
  where finished_at >= ${lo} and finished_at < ${hi} and status in ('succeeded', 'failed', 'cancelled')
  group by 1, 2`;

/** Failed jobs per day and error code, per tenant and for all tenants (NULL). */
export const failureCodesDailyBuckets = (lo: string, hi: string) => `
  select date_trunc('day', finished_at, 'UTC') as day, tenant_id, coalesce(error->>'code', 'unknown') as code,
    count(*)::int as failures
  from jobs
  where finished_at >= ${lo} and finished_at < ${hi} and status = 'failed'
  group by grouping sets ((1, tenant_id, 3), (1, 3))`;

/** Webhook delivery attempts per day: outcomes and latency per endpoint, per tenant and overall. */
export const webhookDailyBuckets = (lo: string, hi: string) => `
  select date_trunc('day', a.started_at, 'UTC') as day, d.tenant_id, d.endpoint_id,
    count(*)::int as attempts,
    count(*) filter (where a.status_code between 200 and 299)::int as succeeded,
    count(*) filter (where a.status_code is null or a.status_code not between 200 and 299)::int as failed,
    percentile_cont(0.5) within group (order by a.latency_ms) as latency_p50_ms,
    percentile_cont(0.95) within group (order by a.latency_ms) as latency_p95_ms,
    max(a.latency_ms) as latency_max_ms
  from webhook_attempts a
  -- One primary-key lookup per attempt (OFFSET 0 keeps the planner from turning a few recent attempts into
  -- a hash join over every delivery).
  cross join lateral (
    select w.tenant_id, w.endpoint_id from webhook_deliveries w where w.id = a.delivery_id offset 0
  ) d
  where a.started_at >= ${lo} and a.started_at < ${hi}
  group by grouping sets ((1, d.tenant_id, d.endpoint_id), (1, d.tenant_id), (1))`;

/** Per tenant and creation day: jobs by their current status and trained tokens. */
export const tenantUsageDailyBuckets = (lo: string, hi: string) => `
  select date_trunc('day', created_at, 'UTC') as day, tenant_id,
    count(*)::int as jobs_total,
    count(*) filter (where status = 'validating_files')::int as jobs_validating_files,
    count(*) filter (where status = 'queued')::int as jobs_queued,
    count(*) filter (where status = 'running')::int as jobs_running,
    count(*) filter (where status = 'cancelling')::int as jobs_cancelling,
    count(*) filter (where status = 'succeeded')::int as jobs_succeeded,
    count(*) filter (where status = 'failed')::int as jobs_failed,
    count(*) filter (where status = 'cancelled')::int as jobs_cancelled,
    coalesce(sum(trained_tokens), 0)::bigint as trained_tokens
  from jobs
  where created_at >= ${lo} and created_at < ${hi}
  group by 1, 2`;

/** Gate outcomes per tenant and day (jobs that went through the misalignment gate). */
export const tenantSafetyDailyBuckets = (lo: string, hi: string) => `
  select date_trunc('day', j.finished_at, 'UTC') as day, j.tenant_id,
    count(*)::int as gated_jobs,
    count(*) filter (where not j.gate_passed)::int as gate_failed,
    count(*) filter (where not j.gate_passed and (j.result->'gate'->>'adapter_withheld')::boolean)::int
      as adapters_withheld,
    max(j.gate_increase) as worst_increase,
    max(j.finished_at) filter (where not j.gate_passed) as last_gate_failure_at
  from jobs j
  where j.gate_passed is not null and j.finished_at >= ${lo} and j.finished_at < ${hi}
  group by 1, 2`;
