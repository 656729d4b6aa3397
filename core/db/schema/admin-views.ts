import { sql } from "drizzle-orm";
import { bigint, boolean, doublePrecision, integer, pgView, text } from "drizzle-orm/pg-core";
import { tenantUsageDailyBuckets } from "./admin-buckets.ts";
import { CLOSED_DAY } from "./admin-rollups.ts";
import { ts } from "./columns.ts";

/*
 * Read-only views for operators: `psql` users and the admin dashboard read the same numbers.
 * Counts are cast to int and ages/durations to double precision so both drivers return JS numbers.
 * Durations and ages are in seconds.
 */

/** One row per tenant: its jobs by status, trained tokens, recent activity, job durations and datasets. */
export const adminTenantUsage = pgView("admin_tenant_usage", {
  tenantId: text("tenant_id").notNull(),
  tenantName: text("tenant_name").notNull(),
  jobsTotal: integer("jobs_total").notNull(),
  jobsValidatingFiles: integer("jobs_validating_files").notNull(),
  jobsQueued: integer("jobs_queued").notNull(),
  jobsRunning: integer("jobs_running").notNull(),
  jobsCancelling: integer("jobs_cancelling").notNull(),
  jobsSucceeded: integer("jobs_succeeded").notNull(),
  jobsFailed: integer("jobs_failed").notNull(),
  jobsCancelled: integer("jobs_cancelled").notNull(),
  jobsLast24h: integer("jobs_last_24h").notNull(),
  trainedTokens: bigint("trained_tokens", { mode: "number" }).notNull(),
  /**
   * Over succeeded jobs, `finished_at - started_at`; null when the tenant has none. As of the last rollup
   * refresh (`admin_rollup_state.refreshed_at`; live for a tenant the refresh has not seen): the other
   * columns are always live.
   */
  medianJobDurationS: doublePrecision("median_job_duration_s"),
  p95JobDurationS: doublePrecision("p95_job_duration_s"),
  datasetsReady: integer("datasets_ready").notNull(),
  datasetsInvalid: integer("datasets_invalid").notNull(),
}).as(
  sql.raw(`
  select
    t.id as tenant_id,
    t.name as tenant_name,
    coalesce(j.jobs_total, 0)::int as jobs_total,
    coalesce(j.jobs_validating_files, 0)::int as jobs_validating_files,
    coalesce(j.jobs_queued, 0)::int as jobs_queued,
    coalesce(j.jobs_running, 0)::int as jobs_running,
    coalesce(j.jobs_cancelling, 0)::int as jobs_cancelling,
    coalesce(j.jobs_succeeded, 0)::int as jobs_succeeded,
    coalesce(j.jobs_failed, 0)::int as jobs_failed,
    coalesce(j.jobs_cancelled, 0)::int as jobs_cancelled,
    coalesce(r.jobs_last_24h, 0)::int as jobs_last_24h,
    coalesce(j.trained_tokens, 0)::bigint as trained_tokens,
    case when p.tenant_id is null then l.median_job_duration_s else p.median_job_duration_s end as median_job_duration_s,
    case when p.tenant_id is null then l.p95_job_duration_s else p.p95_job_duration_s end as p95_job_duration_s,
    d.datasets_ready, d.datasets_invalid
  from tenants t
  left join (
    select tenant_id, sum(jobs_total) as jobs_total, sum(jobs_validating_files) as jobs_validating_files,
      sum(jobs_queued) as jobs_queued, sum(jobs_running) as jobs_running, sum(jobs_cancelling) as jobs_cancelling,
      sum(jobs_succeeded) as jobs_succeeded, sum(jobs_failed) as jobs_failed, sum(jobs_cancelled) as jobs_cancelled,
      sum(trained_tokens) as trained_tokens
    from (
      select * from admin_tenant_usage_rollup
      union all
      select tenant_id, jobs_total, jobs_validating_files, jobs_queued, jobs_running, jobs_cancelling,
        jobs_succeeded, jobs_failed, jobs_cancelled, trained_tokens
      from (${tenantUsageDailyBuckets(`coalesce(${CLOSED_DAY}, '-infinity')`, "'infinity'")}) live
    ) u
    group by tenant_id
  ) j on j.tenant_id = t.id
  left join (
    select tenant_id, count(*) as jobs_last_24h from jobs where created_at > now() - interval '24 hours' group by tenant_id
  ) r on r.tenant_id = t.id
  left join admin_tenant_durations_rollup p on p.tenant_id = t.id
  -- Live only for a tenant the refresh has not seen yet: the others pass no tenant, an empty index lookup.
  left join lateral admin_tenant_job_durations(
    case when p.tenant_id is null then array[t.id] else '{}'::text[] end
  ) l on true
  cross join lateral (
    select
      count(*) filter (where status = 'ready')::int as datasets_ready,
      count(*) filter (where status = 'invalid')::int as datasets_invalid
    from datasets where datasets.tenant_id = t.id
  ) d
`),
);

/** Exactly one row: how the job queue is doing right now. */
export const adminQueueHealth = pgView("admin_queue_health", {
  queuedJobs: integer("queued_jobs").notNull(),
  /** Since `queued_at` (or creation) of the longest-waiting queued job; null when none is queued. */
  oldestQueuedAgeS: doublePrecision("oldest_queued_age_s"),
  runningJobs: integer("running_jobs").notNull(),
  /** Running jobs whose runner stopped renewing its lease: the sweeper should hand them back. */
  expiredLeaseJobs: integer("expired_lease_jobs").notNull(),
  cancellingJobs: integer("cancelling_jobs").notNull(),
  unsentOutbox: integer("unsent_outbox").notNull(),
  oldestUnsentOutboxAgeS: doublePrecision("oldest_unsent_outbox_age_s"),
}).as(sql`
  select j.queued_jobs, j.oldest_queued_age_s, j.running_jobs, j.expired_lease_jobs, j.cancelling_jobs,
    o.unsent_outbox, o.oldest_unsent_outbox_age_s
  from (
    select
      count(*) filter (where status = 'queued')::int as queued_jobs,
      extract(epoch from now() - min(coalesce(queued_at, created_at)) filter (where status = 'queued'))::double precision
        as oldest_queued_age_s,
      count(*) filter (where status = 'running')::int as running_jobs,
      count(*) filter (where status = 'running' and lease_expires_at < now())::int as expired_lease_jobs,
      count(*) filter (where status = 'cancelling')::int as cancelling_jobs
    from jobs where status in ('queued', 'running', 'cancelling')
  ) j
  cross join (
    select
      count(*)::int as unsent_outbox,
      extract(epoch from now() - min(created_at))::double precision as oldest_unsent_outbox_age_s
    from job_queue_outbox where sent_at is null
  ) o
`);

/** Failed jobs of the last 7 days by error code (`jobs.error->>'code'`). */
export const adminJobFailures = pgView("admin_job_failures", {
  code: text("code").notNull(),
  failures: integer("failures").notNull(),
  tenants: integer("tenants").notNull(),
  lastFailedAt: ts("last_failed_at").notNull(),
  /** The message of the most recent failure with this code. */
  lastMessage: text("last_message"),
}).as(sql`
  select
    coalesce(error->>'code', 'unknown') as code,
    count(*)::int as failures,
    count(distinct tenant_id)::int as tenants,
    max(coalesce(finished_at, updated_at)) as last_failed_at,
    (array_agg(error->>'message' order by coalesce(finished_at, updated_at) desc))[1] as last_message
  from jobs
  where status = 'failed' and coalesce(finished_at, updated_at) > now() - interval '7 days'
  group by 1
`);

/** One row per (not deleted) webhook endpoint: its state and its deliveries. */
export const adminWebhookHealth = pgView("admin_webhook_health", {
  endpointId: text("endpoint_id").notNull(),
  tenantId: text("tenant_id").notNull(),
  tenantName: text("tenant_name").notNull(),
  url: text("url").notNull(),
  enabled: boolean("enabled").notNull(),
  disabledReason: text("disabled_reason"),
  /** Deliveries still waiting for an attempt or a retry, whatever their age (the backlog). */
  deliveriesPending: integer("deliveries_pending").notNull(),
  /** Deliveries that ended in the last 24 h. */
  deliveriesSucceeded24h: integer("deliveries_succeeded_24h").notNull(),
  deliveriesFailed24h: integer("deliveries_failed_24h").notNull(),
  failingSince: ts("failing_since"),
}).as(sql`
  select
    e.id as endpoint_id,
    e.tenant_id,
    t.name as tenant_name,
    e.url,
    e.enabled,
    e.disabled_reason,
    d.deliveries_pending,
    d.deliveries_succeeded_24h,
    d.deliveries_failed_24h,
    e.failing_since
  from webhook_endpoints e
  join tenants t on t.id = e.tenant_id
  -- Three counts, each an index range of its own (see the webhook_deliveries_*_idx partial indexes).
  cross join lateral (
    select
      (select count(*) from webhook_deliveries w where w.endpoint_id = e.id and w.status = 'pending')::int
        as deliveries_pending,
      (select count(*) from webhook_deliveries w where w.endpoint_id = e.id and w.status = 'succeeded'
        and coalesce(w.delivered_at, w.last_attempt_at, w.created_at) > now() - interval '24 hours')::int
        as deliveries_succeeded_24h,
      (select count(*) from webhook_deliveries w where w.endpoint_id = e.id and w.status = 'failed'
        and coalesce(w.last_attempt_at, w.created_at) > now() - interval '24 hours')::int as deliveries_failed_24h
  ) d
  where e.deleted_at is null
`);
