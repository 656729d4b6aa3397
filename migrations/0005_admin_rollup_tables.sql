CREATE TABLE "admin_failure_codes_daily_rollup" (
	"day" timestamp with time zone NOT NULL,
	"tenant_id" text,
	"code" text NOT NULL,
	"failures" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "admin_job_latency_hourly_rollup" (
	"hour" timestamp with time zone NOT NULL,
	"tenant_id" text,
	"started" integer NOT NULL,
	"queue_wait_p50_s" double precision,
	"queue_wait_p95_s" double precision,
	"queue_wait_max_s" double precision,
	"ended" integer NOT NULL,
	"run_p50_s" double precision,
	"run_p95_s" double precision,
	"run_max_s" double precision
);
--> statement-breakpoint
CREATE TABLE "admin_jobs_hourly_rollup" (
	"hour" timestamp with time zone NOT NULL,
	"tenant_id" text,
	"created" integer NOT NULL,
	"queued" integer NOT NULL,
	"started" integer NOT NULL,
	"succeeded" integer NOT NULL,
	"failed" integer NOT NULL,
	"cancelled" integer NOT NULL,
	"trained_tokens" bigint NOT NULL,
	"runner_seconds" double precision NOT NULL
);
--> statement-breakpoint
CREATE TABLE "admin_queue_baseline_rollup" (
	"window_start" timestamp with time zone NOT NULL,
	"tenant_id" text,
	"n" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "admin_queue_moves_hourly_rollup" (
	"hour" timestamp with time zone NOT NULL,
	"tenant_id" text,
	"entered" integer NOT NULL,
	"left_queue" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "admin_rollup_dirty" (
	"hour" timestamp with time zone,
	"tenant_id" text
);
--> statement-breakpoint
CREATE TABLE "admin_rollup_state" (
	"singleton" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"closed_before" timestamp with time zone NOT NULL,
	"refreshed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "admin_rollup_state_singleton" CHECK ("admin_rollup_state"."singleton")
);
--> statement-breakpoint
CREATE TABLE "admin_safety_daily_rollup" (
	"day" timestamp with time zone NOT NULL,
	"safeguard_type" text NOT NULL,
	"tenant_id" text NOT NULL,
	"jobs" integer NOT NULL,
	"gated" integer NOT NULL,
	"gate_passed" integer NOT NULL,
	"gate_failed" integer NOT NULL,
	"judge_base_sum" double precision,
	"judge_base_n" integer NOT NULL,
	"judge_tuned_sum" double precision,
	"judge_tuned_n" integer NOT NULL,
	"judge_increase_sum" double precision,
	"judge_increase_n" integer NOT NULL,
	"incoherence_rise_sum" double precision,
	"incoherence_rise_n" integer NOT NULL,
	"probe_base_sum" double precision,
	"probe_base_n" integer NOT NULL,
	"probe_tuned_sum" double precision,
	"probe_tuned_n" integer NOT NULL,
	"probe_increase_sum" double precision,
	"probe_increase_n" integer NOT NULL,
	"judge_tuned_max" double precision,
	"judge_increase_max" double precision,
	"incoherence_rise_max" double precision,
	"probe_tuned_max" double precision,
	"probe_increase_max" double precision,
	"ppl_gap_jobs" integer NOT NULL,
	"ppl_candidates_sum" double precision,
	"ppl_candidates_n" integer NOT NULL,
	"ppl_selected_sum" double precision,
	"ppl_selected_n" integer NOT NULL,
	"ppl_distinct_sum" double precision,
	"ppl_distinct_n" integer NOT NULL,
	"ppl_refusals_dropped_sum" double precision,
	"ppl_refusals_dropped_n" integer NOT NULL,
	"ppl_top_score_sum" double precision,
	"ppl_top_score_n" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "admin_tenant_daily_rollup" (
	"day" timestamp with time zone NOT NULL,
	"tenant_id" text NOT NULL,
	"ended" integer NOT NULL,
	"succeeded" integer NOT NULL,
	"failed" integer NOT NULL,
	"trained_tokens" bigint NOT NULL,
	"runner_seconds" double precision NOT NULL
);
--> statement-breakpoint
CREATE TABLE "admin_tenant_durations_rollup" (
	"tenant_id" text PRIMARY KEY NOT NULL,
	"median_job_duration_s" double precision,
	"p95_job_duration_s" double precision
);
--> statement-breakpoint
CREATE TABLE "admin_tenant_safety_daily_rollup" (
	"day" timestamp with time zone NOT NULL,
	"tenant_id" text NOT NULL,
	"gated_jobs" integer NOT NULL,
	"gate_failed" integer NOT NULL,
	"adapters_withheld" integer NOT NULL,
	"worst_increase" double precision,
	"last_gate_failure_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "admin_tenant_usage_daily_rollup" (
	"day" timestamp with time zone NOT NULL,
	"tenant_id" text NOT NULL,
	"jobs_total" integer NOT NULL,
	"jobs_validating_files" integer NOT NULL,
	"jobs_queued" integer NOT NULL,
	"jobs_running" integer NOT NULL,
	"jobs_cancelling" integer NOT NULL,
	"jobs_succeeded" integer NOT NULL,
	"jobs_failed" integer NOT NULL,
	"jobs_cancelled" integer NOT NULL,
	"trained_tokens" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "admin_tenant_usage_rollup" (
	"tenant_id" text PRIMARY KEY NOT NULL,
	"jobs_total" integer NOT NULL,
	"jobs_validating_files" integer NOT NULL,
	"jobs_queued" integer NOT NULL,
	"jobs_running" integer NOT NULL,
	"jobs_cancelling" integer NOT NULL,
	"jobs_succeeded" integer NOT NULL,
	"jobs_failed" integer NOT NULL,
	"jobs_cancelled" integer NOT NULL,
	"trained_tokens" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "admin_webhook_daily_rollup" (
	"day" timestamp with time zone NOT NULL,
	"tenant_id" text,
	"endpoint_id" text,
	"attempts" integer NOT NULL,
	"succeeded" integer NOT NULL,
	"failed" integer NOT NULL,
	"latency_p50_ms" double precision,
	"latency_p95_ms" double precision,
	"latency_max_ms" integer
);
--> statement-breakpoint
DROP VIEW "public"."admin_tenant_usage";--> statement-breakpoint
DROP VIEW "public"."admin_webhook_health";--> statement-breakpoint
DROP VIEW "public"."admin_failure_codes_daily";--> statement-breakpoint
DROP VIEW "public"."admin_job_latency_hourly";--> statement-breakpoint
DROP VIEW "public"."admin_jobs_hourly";--> statement-breakpoint
DROP VIEW "public"."admin_queue_depth_hourly";--> statement-breakpoint
DROP VIEW "public"."admin_tenant_daily";--> statement-breakpoint
DROP VIEW "public"."admin_webhook_daily";--> statement-breakpoint
DROP VIEW "public"."admin_gated_jobs";--> statement-breakpoint
DROP VIEW "public"."admin_safety_by_safeguard";--> statement-breakpoint
DROP VIEW "public"."admin_tenant_safety";--> statement-breakpoint
CREATE INDEX "admin_failure_codes_daily_rollup_day_idx" ON "admin_failure_codes_daily_rollup" USING btree ("day");--> statement-breakpoint
CREATE INDEX "admin_job_latency_hourly_rollup_hour_idx" ON "admin_job_latency_hourly_rollup" USING btree ("hour","tenant_id");--> statement-breakpoint
CREATE INDEX "admin_jobs_hourly_rollup_hour_idx" ON "admin_jobs_hourly_rollup" USING btree ("hour","tenant_id");--> statement-breakpoint
CREATE INDEX "admin_queue_baseline_rollup_window_idx" ON "admin_queue_baseline_rollup" USING btree ("window_start");--> statement-breakpoint
CREATE INDEX "admin_queue_moves_hourly_rollup_hour_idx" ON "admin_queue_moves_hourly_rollup" USING btree ("hour","tenant_id");--> statement-breakpoint
CREATE INDEX "admin_safety_daily_rollup_day_idx" ON "admin_safety_daily_rollup" USING btree ("day");--> statement-breakpoint
CREATE INDEX "admin_tenant_daily_rollup_day_idx" ON "admin_tenant_daily_rollup" USING btree ("day");--> statement-breakpoint
CREATE INDEX "admin_tenant_safety_daily_rollup_day_idx" ON "admin_tenant_safety_daily_rollup" USING btree ("day");--> statement-breakpoint
CREATE INDEX "admin_tenant_usage_daily_rollup_day_idx" ON "admin_tenant_usage_daily_rollup" USING btree ("day","tenant_id");--> statement-breakpoint
CREATE INDEX "admin_webhook_daily_rollup_day_idx" ON "admin_webhook_daily_rollup" USING btree ("day");--> statement-breakpoint
CREATE INDEX "jobs_tenant_succeeded_idx" ON "jobs" USING btree ("tenant_id","started_at","finished_at") WHERE "jobs"."status" = 'succeeded';--> statement-breakpoint
CREATE INDEX "jobs_failed_at_idx" ON "jobs" USING btree (coalesce("finished_at", "updated_at")) WHERE "jobs"."status" = 'failed';--> statement-breakpoint
CREATE INDEX "webhook_deliveries_pending_endpoint_idx" ON "webhook_deliveries" USING btree ("endpoint_id") WHERE "webhook_deliveries"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "webhook_deliveries_succeeded_at_idx" ON "webhook_deliveries" USING btree ("endpoint_id",coalesce("delivered_at", "last_attempt_at", "created_at")) WHERE "webhook_deliveries"."status" = 'succeeded';--> statement-breakpoint
CREATE INDEX "webhook_deliveries_failed_at_idx" ON "webhook_deliveries" USING btree ("endpoint_id",coalesce("last_attempt_at", "created_at")) WHERE "webhook_deliveries"."status" = 'failed';--> statement-breakpoint
CREATE VIEW "public"."admin_tenant_usage" AS (
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
      from (
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
  where created_at >= coalesce(date_trunc('day', (select closed_before from admin_rollup_state), 'UTC'), '-infinity') and created_at < 'infinity'
  group by 1, 2) live
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
);--> statement-breakpoint
CREATE VIEW "public"."admin_webhook_health" AS (
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
);--> statement-breakpoint
CREATE VIEW "public"."admin_failure_codes_daily" AS (
  select * from admin_failure_codes_daily_rollup where day >= (date_trunc('day', now(), 'UTC') - interval '30 days') and day < date_trunc('day', (select closed_before from admin_rollup_state), 'UTC')
  union all
  select * from (
  select date_trunc('day', finished_at, 'UTC') as day, tenant_id, coalesce(error->>'code', 'unknown') as code,
    count(*)::int as failures
  from jobs
  where finished_at >= greatest(date_trunc('day', (select closed_before from admin_rollup_state), 'UTC'), (date_trunc('day', now(), 'UTC') - interval '30 days')) and finished_at < 'infinity' and status = 'failed'
  group by grouping sets ((1, tenant_id, 3), (1, 3))) live
);--> statement-breakpoint
CREATE VIEW "public"."admin_job_latency_hourly" AS (
  select * from admin_job_latency_hourly_rollup where hour >= (date_trunc('hour', now(), 'UTC') - interval '30 days') and hour < (select closed_before from admin_rollup_state)
  union all
  select * from (
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
      from jobs where started_at >= greatest((select closed_before from admin_rollup_state), (date_trunc('hour', now(), 'UTC') - interval '30 days')) and started_at < 'infinity'
    union all
    select date_trunc('hour', finished_at, 'UTC'), tenant_id, null, extract(epoch from finished_at - started_at)::double precision
      from jobs where finished_at >= greatest((select closed_before from admin_rollup_state), (date_trunc('hour', now(), 'UTC') - interval '30 days')) and finished_at < 'infinity' and started_at is not null
  ) l
  group by grouping sets ((hour, tenant_id), (hour))) live
);--> statement-breakpoint
CREATE VIEW "public"."admin_jobs_hourly" AS (
  select * from admin_jobs_hourly_rollup where hour >= (date_trunc('hour', now(), 'UTC') - interval '30 days') and hour < (select closed_before from admin_rollup_state)
  union all
  select * from (
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
      from jobs where created_at >= greatest((select closed_before from admin_rollup_state), (date_trunc('hour', now(), 'UTC') - interval '30 days')) and created_at < 'infinity'
    union all
    select date_trunc('hour', queued_at, 'UTC'), tenant_id, 'queued', null, null from jobs where queued_at >= greatest((select closed_before from admin_rollup_state), (date_trunc('hour', now(), 'UTC') - interval '30 days')) and queued_at < 'infinity'
    union all
    select date_trunc('hour', started_at, 'UTC'), tenant_id, 'started', null, null from jobs where started_at >= greatest((select closed_before from admin_rollup_state), (date_trunc('hour', now(), 'UTC') - interval '30 days')) and started_at < 'infinity'
    union all
    select date_trunc('hour', finished_at, 'UTC'), tenant_id, status, trained_tokens, extract(epoch from finished_at - started_at)::double precision
      from jobs where finished_at >= greatest((select closed_before from admin_rollup_state), (date_trunc('hour', now(), 'UTC') - interval '30 days')) and finished_at < 'infinity' and status in ('succeeded', 'failed', 'cancelled')
  ) e
  group by grouping sets ((hour, tenant_id), (hour))) live
);--> statement-breakpoint
CREATE VIEW "public"."admin_queue_depth_hourly" AS (
  with hourly as (
    select hour, tenant_id, entered, left_queue from admin_queue_moves_hourly_rollup
      where hour >= (date_trunc('hour', now(), 'UTC') - interval '30 days') and hour < (select closed_before from admin_rollup_state)
    union all
    select * from (
  select hour, tenant_id, sum(entered)::int as entered, sum(left_queue)::int as left_queue
  from (
    select date_trunc('hour', queued_at, 'UTC') as hour, tenant_id, 1 as entered, 0 as left_queue
      from jobs where queued_at >= greatest((select closed_before from admin_rollup_state), (date_trunc('hour', now(), 'UTC') - interval '30 days')) and queued_at < 'infinity'
    union all
    select date_trunc('hour', started_at, 'UTC'), tenant_id, 0, 1
      from jobs where started_at >= greatest((select closed_before from admin_rollup_state), (date_trunc('hour', now(), 'UTC') - interval '30 days')) and started_at < 'infinity' and queued_at is not null
    union all
    select date_trunc('hour', finished_at, 'UTC'), tenant_id, 0, 1
      from jobs where finished_at >= greatest((select closed_before from admin_rollup_state), (date_trunc('hour', now(), 'UTC') - interval '30 days')) and finished_at < 'infinity' and started_at is null and queued_at is not null
  ) m
  group by grouping sets ((hour, tenant_id), (hour))) live
  ),
  stored_baseline as (
    select tenant_id, n from admin_queue_baseline_rollup where window_start = (date_trunc('hour', now(), 'UTC') - interval '30 days')
  ),
  baseline as (
    select * from stored_baseline
    union all
    select * from (select * from admin_queue_baseline((date_trunc('hour', now(), 'UTC') - interval '30 days'))) live where not exists (select from stored_baseline)
  )
  select h.hour, h.tenant_id, h.entered, h.left_queue,
    (coalesce(b.n, 0) + sum(h.entered - h.left_queue) over (partition by h.tenant_id order by h.hour))::int as depth
  from hourly h
  left join baseline b on b.tenant_id is not distinct from h.tenant_id
);--> statement-breakpoint
CREATE VIEW "public"."admin_tenant_daily" AS (
  select d.day, d.tenant_id, t.name as tenant_name, d.ended, d.succeeded, d.failed, d.trained_tokens, d.runner_seconds,
    d.runner_seconds / nullif(sum(d.runner_seconds) over (partition by d.day), 0) as runner_share
  from (
    select * from admin_tenant_daily_rollup where day >= (date_trunc('day', now(), 'UTC') - interval '30 days') and day < date_trunc('day', (select closed_before from admin_rollup_state), 'UTC')
    union all
    select * from (
  select date_trunc('day', finished_at, 'UTC') as day, tenant_id,
    count(*)::int as ended,
    count(*) filter (where status = 'succeeded')::int as succeeded,
    count(*) filter (where status = 'failed')::int as failed,
    coalesce(sum(trained_tokens), 0)::bigint as trained_tokens,
    coalesce(sum(extract(epoch from finished_at - started_at)), 0)::double precision as runner_seconds
  from jobs
  where finished_at >= greatest(date_trunc('day', (select closed_before from admin_rollup_state), 'UTC'), (date_trunc('day', now(), 'UTC') - interval '30 days')) and finished_at < 'infinity' and status in ('succeeded', 'failed', 'cancelled')
  group by 1, 2) live
  ) d
  join tenants t on t.id = d.tenant_id
);--> statement-breakpoint
CREATE VIEW "public"."admin_webhook_daily" AS (
  select * from admin_webhook_daily_rollup where day >= (date_trunc('day', now(), 'UTC') - interval '30 days') and day < date_trunc('day', (select closed_before from admin_rollup_state), 'UTC')
  union all
  select * from (
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
  where a.started_at >= greatest(date_trunc('day', (select closed_before from admin_rollup_state), 'UTC'), (date_trunc('day', now(), 'UTC') - interval '30 days')) and a.started_at < 'infinity'
  group by grouping sets ((1, d.tenant_id, d.endpoint_id), (1, d.tenant_id), (1))) live
);--> statement-breakpoint
CREATE VIEW "public"."admin_gated_jobs" AS (
  select j.id as job_id, j.tenant_id, t.name as tenant_name, j.status, j.finished_at, j.safeguard_types,
    j.gate_passed as passed, j.gate_metric as metric,
    (j.result->'gate'->>'threshold')::double precision as threshold,
    (j.result->'gate'->>'base')::double precision as before,
    (j.result->'gate'->>'fine_tuned')::double precision as after,
    j.gate_increase as increase,
    (j.result->'gate'->>'adapter_withheld')::boolean as adapter_withheld,
    j.result->'gate'->>'explanation' as explanation,
    j.result->'gate'->'examples' as examples
  from jobs j
  join tenants t on t.id = j.tenant_id
  where j.gate_passed is not null and j.finished_at >= (date_trunc('day', now(), 'UTC') - interval '30 days')
);--> statement-breakpoint
CREATE VIEW "public"."admin_safety_by_safeguard" AS (
  select safeguard_type, tenant_id,
    sum(jobs)::int as jobs,
    sum(gated)::int as gated,
    sum(gate_passed)::int as gate_passed,
    sum(gate_failed)::int as gate_failed,
    sum(judge_tuned_n)::int as judged_jobs,
    sum(judge_base_sum) / nullif(sum(judge_base_n), 0) as judge_misaligned_before_mean,
    sum(judge_tuned_sum) / nullif(sum(judge_tuned_n), 0) as judge_misaligned_after_mean,
    max(judge_tuned_max) as judge_misaligned_after_worst,
    sum(judge_increase_sum) / nullif(sum(judge_increase_n), 0) as judge_increase_mean,
    max(judge_increase_max) as judge_increase_worst,
    sum(incoherence_rise_sum) / nullif(sum(incoherence_rise_n), 0) as incoherence_rise_mean,
    max(incoherence_rise_max) as incoherence_rise_worst,
    sum(probe_tuned_n)::int as probed_jobs,
    sum(probe_base_sum) / nullif(sum(probe_base_n), 0) as probe_misaligned_before_mean,
    sum(probe_tuned_sum) / nullif(sum(probe_tuned_n), 0) as probe_misaligned_after_mean,
    max(probe_tuned_max) as probe_misaligned_after_worst,
    sum(probe_increase_sum) / nullif(sum(probe_increase_n), 0) as probe_increase_mean,
    max(probe_increase_max) as probe_increase_worst,
    sum(ppl_gap_jobs)::int as ppl_gap_jobs,
    sum(ppl_candidates_sum) / nullif(sum(ppl_candidates_n), 0) as ppl_gap_candidates_mean,
    sum(ppl_selected_sum) / nullif(sum(ppl_selected_n), 0) as ppl_gap_selected_mean,
    sum(ppl_distinct_sum) / nullif(sum(ppl_selected_sum), 0) as ppl_gap_distinct_ratio,
    sum(ppl_refusals_dropped_sum) / nullif(sum(ppl_refusals_dropped_n), 0) as ppl_gap_refusals_dropped_mean,
    sum(ppl_top_score_sum) / nullif(sum(ppl_top_score_n), 0) as ppl_gap_top_score_mean
  from (
    select safeguard_type, tenant_id, jobs, gated, gate_passed, gate_failed, judge_base_sum, judge_base_n, judge_tuned_sum, judge_tuned_n, judge_increase_sum, judge_increase_n, incoherence_rise_sum, incoherence_rise_n, probe_base_sum, probe_base_n, probe_tuned_sum, probe_tuned_n, probe_increase_sum, probe_increase_n, judge_tuned_max, judge_increase_max, incoherence_rise_max, probe_tuned_max, probe_increase_max, ppl_gap_jobs, ppl_candidates_sum, ppl_candidates_n, ppl_selected_sum, ppl_selected_n, ppl_distinct_sum, ppl_distinct_n, ppl_refusals_dropped_sum, ppl_refusals_dropped_n, ppl_top_score_sum, ppl_top_score_n from admin_safety_daily_rollup
      where day >= (date_trunc('day', now(), 'UTC') - interval '30 days') and day < date_trunc('day', (select closed_before from admin_rollup_state), 'UTC')
    union all
    select safeguard_type, tenant_id, jobs, gated, gate_passed, gate_failed, judge_base_sum, judge_base_n, judge_tuned_sum, judge_tuned_n, judge_increase_sum, judge_increase_n, incoherence_rise_sum, incoherence_rise_n, probe_base_sum, probe_base_n, probe_tuned_sum, probe_tuned_n, probe_increase_sum, probe_increase_n, judge_tuned_max, judge_increase_max, incoherence_rise_max, probe_tuned_max, probe_increase_max, ppl_gap_jobs, ppl_candidates_sum, ppl_candidates_n, ppl_selected_sum, ppl_selected_n, ppl_distinct_sum, ppl_distinct_n, ppl_refusals_dropped_sum, ppl_refusals_dropped_n, ppl_top_score_sum, ppl_top_score_n
      from (
  select date_trunc('day', j.finished_at, 'UTC') as day, s.safeguard_type, j.tenant_id,
    count(*)::int as jobs,
    count(j.gate_passed)::int as gated,
    count(*) filter (where j.gate_passed)::int as gate_passed,
    count(*) filter (where not j.gate_passed)::int as gate_failed,
    sum(j.judge_misaligned_base) as judge_base_sum, count(j.judge_misaligned_base)::int as judge_base_n,
    sum(j.judge_misaligned_tuned) as judge_tuned_sum, count(j.judge_misaligned_tuned)::int as judge_tuned_n,
    sum(j.judge_misaligned_tuned - j.judge_misaligned_base) as judge_increase_sum, count(j.judge_misaligned_tuned - j.judge_misaligned_base)::int as judge_increase_n,
    sum(j.incoherent_tuned - j.incoherent_base) as incoherence_rise_sum, count(j.incoherent_tuned - j.incoherent_base)::int as incoherence_rise_n,
    sum(j.probe_misaligned_base) as probe_base_sum, count(j.probe_misaligned_base)::int as probe_base_n,
    sum(j.probe_misaligned_tuned) as probe_tuned_sum, count(j.probe_misaligned_tuned)::int as probe_tuned_n,
    sum(j.probe_misaligned_tuned - j.probe_misaligned_base) as probe_increase_sum, count(j.probe_misaligned_tuned - j.probe_misaligned_base)::int as probe_increase_n,
    max(j.judge_misaligned_tuned) as judge_tuned_max, max(j.judge_misaligned_tuned - j.judge_misaligned_base) as judge_increase_max, max(j.incoherent_tuned - j.incoherent_base) as incoherence_rise_max, max(j.probe_misaligned_tuned) as probe_tuned_max, max(j.probe_misaligned_tuned - j.probe_misaligned_base) as probe_increase_max,
    count(*) filter (where j.interleave_selection like 'perplexity_gap%')::int as ppl_gap_jobs,
    sum(j.interleave_candidates) filter (where j.interleave_selection like 'perplexity_gap%') as ppl_candidates_sum, count(j.interleave_candidates) filter (where j.interleave_selection like 'perplexity_gap%')::int as ppl_candidates_n,
    sum(j.interleave_selected) filter (where j.interleave_selection like 'perplexity_gap%') as ppl_selected_sum, count(j.interleave_selected) filter (where j.interleave_selection like 'perplexity_gap%')::int as ppl_selected_n,
    sum(j.interleave_distinct) filter (where j.interleave_selection like 'perplexity_gap%') as ppl_distinct_sum, count(j.interleave_distinct) filter (where j.interleave_selection like 'perplexity_gap%')::int as ppl_distinct_n,
    sum(j.interleave_refusals_dropped) filter (where j.interleave_selection = 'perplexity_gap_filtered') as ppl_refusals_dropped_sum, count(j.interleave_refusals_dropped) filter (where j.interleave_selection = 'perplexity_gap_filtered')::int as ppl_refusals_dropped_n,
    sum(j.interleave_top_score) filter (where j.interleave_selection like 'perplexity_gap%') as ppl_top_score_sum, count(j.interleave_top_score) filter (where j.interleave_selection like 'perplexity_gap%')::int as ppl_top_score_n
  from jobs j
  cross join lateral admin_safeguard_types(j.safeguard_types) as s(safeguard_type)
  where j.finished_at >= greatest(date_trunc('day', (select closed_before from admin_rollup_state), 'UTC'), (date_trunc('day', now(), 'UTC') - interval '30 days')) and j.finished_at < 'infinity' and j.status in ('succeeded', 'failed')
  group by 1, 2, 3) live) p
  group by grouping sets ((safeguard_type, tenant_id), (safeguard_type)));--> statement-breakpoint
CREATE VIEW "public"."admin_tenant_safety" AS (
  select d.tenant_id, t.name as tenant_name,
    sum(d.gated_jobs)::int as gated_jobs,
    sum(d.gate_failed)::int as gate_failed,
    sum(d.adapters_withheld)::int as adapters_withheld,
    max(d.worst_increase) as worst_increase,
    max(d.last_gate_failure_at) as last_gate_failure_at
  from (
    select * from admin_tenant_safety_daily_rollup where day >= (date_trunc('day', now(), 'UTC') - interval '30 days') and day < date_trunc('day', (select closed_before from admin_rollup_state), 'UTC')
    union all
    select * from (
  select date_trunc('day', j.finished_at, 'UTC') as day, j.tenant_id,
    count(*)::int as gated_jobs,
    count(*) filter (where not j.gate_passed)::int as gate_failed,
    count(*) filter (where not j.gate_passed and (j.result->'gate'->>'adapter_withheld')::boolean)::int
      as adapters_withheld,
    max(j.gate_increase) as worst_increase,
    max(j.finished_at) filter (where not j.gate_passed) as last_gate_failure_at
  from jobs j
  where j.gate_passed is not null and j.finished_at >= greatest(date_trunc('day', (select closed_before from admin_rollup_state), 'UTC'), (date_trunc('day', now(), 'UTC') - interval '30 days')) and j.finished_at < 'infinity'
  group by 1, 2) live
  ) d
  join tenants t on t.id = d.tenant_id
  group by d.tenant_id, t.name
);