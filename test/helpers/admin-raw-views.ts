/**
 * The admin views as they were first defined: aggregates of the raw rows at query time, with no stored
 * buckets. The rollup tests use them as the oracle that the stored-plus-live views must equal (in a UTC
 * session, where these views' session-zone hours and days are the UTC ones the rollups use).
 */
export const RAW_ADMIN_VIEWS: Record<string, string> = {
  admin_tenant_usage: `
  select
    t.id as tenant_id,
    t.name as tenant_name,
    j.jobs_total, j.jobs_validating_files, j.jobs_queued, j.jobs_running, j.jobs_cancelling,
    j.jobs_succeeded, j.jobs_failed, j.jobs_cancelled, j.jobs_last_24h, j.trained_tokens,
    j.median_job_duration_s, j.p95_job_duration_s,
    d.datasets_ready, d.datasets_invalid
  from tenants t
  cross join lateral (
    select
      count(*)::int as jobs_total,
      count(*) filter (where status = 'validating_files')::int as jobs_validating_files,
      count(*) filter (where status = 'queued')::int as jobs_queued,
      count(*) filter (where status = 'running')::int as jobs_running,
      count(*) filter (where status = 'cancelling')::int as jobs_cancelling,
      count(*) filter (where status = 'succeeded')::int as jobs_succeeded,
      count(*) filter (where status = 'failed')::int as jobs_failed,
      count(*) filter (where status = 'cancelled')::int as jobs_cancelled,
      count(*) filter (where created_at > now() - interval '24 hours')::int as jobs_last_24h,
      coalesce(sum(trained_tokens), 0)::bigint as trained_tokens,
      percentile_cont(0.5) within group (order by extract(epoch from finished_at - started_at)::double precision)
        filter (where status = 'succeeded' and started_at is not null and finished_at is not null) as median_job_duration_s,
      percentile_cont(0.95) within group (order by extract(epoch from finished_at - started_at)::double precision)
        filter (where status = 'succeeded' and started_at is not null and finished_at is not null) as p95_job_duration_s
    from jobs where jobs.tenant_id = t.id
  ) j
  cross join lateral (
    select
      count(*) filter (where status = 'ready')::int as datasets_ready,
      count(*) filter (where status = 'invalid')::int as datasets_invalid
    from datasets where datasets.tenant_id = t.id
  ) d
`,
  admin_jobs_hourly: `
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
      from jobs where created_at >= date_trunc('hour', now()) - interval '30 days'
    union all
    select date_trunc('hour', queued_at), tenant_id, 'queued', null, null from jobs where queued_at >= date_trunc('hour', now()) - interval '30 days'
    union all
    select date_trunc('hour', started_at), tenant_id, 'started', null, null from jobs where started_at >= date_trunc('hour', now()) - interval '30 days'
    union all
    select date_trunc('hour', finished_at), tenant_id, status, trained_tokens, extract(epoch from finished_at - started_at)::double precision
      from jobs where finished_at >= date_trunc('hour', now()) - interval '30 days' and status in ('succeeded', 'failed', 'cancelled')
  ) e
  group by grouping sets ((hour, tenant_id), (hour))
`,
  admin_job_latency_hourly: `
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
      from jobs where started_at >= date_trunc('hour', now()) - interval '30 days'
    union all
    select date_trunc('hour', finished_at), tenant_id, null, extract(epoch from finished_at - started_at)::double precision
      from jobs where finished_at >= date_trunc('hour', now()) - interval '30 days' and started_at is not null
  ) l
  group by grouping sets ((hour, tenant_id), (hour))
`,
  admin_queue_depth_hourly: `
  with moves as (
    select date_trunc('hour', queued_at) as hour, tenant_id, 1 as entered, 0 as left_queue
      from jobs where queued_at >= date_trunc('hour', now()) - interval '30 days'
    union all
    select date_trunc('hour', started_at), tenant_id, 0, 1
      from jobs where started_at >= date_trunc('hour', now()) - interval '30 days' and queued_at is not null
    union all
    select date_trunc('hour', finished_at), tenant_id, 0, 1
      from jobs where finished_at >= date_trunc('hour', now()) - interval '30 days' and started_at is null and queued_at is not null
  ),
  at_start as (
    select tenant_id from jobs where started_at >= date_trunc('hour', now()) - interval '30 days' and queued_at < date_trunc('hour', now()) - interval '30 days'
    union all
    select tenant_id from jobs
      where finished_at >= date_trunc('hour', now()) - interval '30 days' and started_at is null and queued_at < date_trunc('hour', now()) - interval '30 days'
    union all
    select tenant_id from jobs
      where status in ('validating_files', 'queued') and started_at is null and queued_at < date_trunc('hour', now()) - interval '30 days'
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
`,
  admin_tenant_daily: `
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
`,
  admin_failure_codes_daily: `
  select date_trunc('day', finished_at) as day, tenant_id, coalesce(error->>'code', 'unknown') as code,
    count(*)::int as failures
  from jobs
  where finished_at >= date_trunc('day', now()) - interval '30 days' and status = 'failed'
  group by grouping sets ((1, tenant_id, 3), (1, 3))
`,
  admin_webhook_daily: `
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
`,
  admin_safety_by_safeguard: `
  select s.safeguard_type, j.tenant_id,
    count(*)::int as jobs,
    count(j.gate_passed)::int as gated,
    count(*) filter (where j.gate_passed)::int as gate_passed,
    count(*) filter (where not j.gate_passed)::int as gate_failed,
    count(j.judge_misaligned_tuned)::int as judged_jobs,
    avg(j.judge_misaligned_base) as judge_misaligned_before_mean,
    avg(j.judge_misaligned_tuned) as judge_misaligned_after_mean,
    max(j.judge_misaligned_tuned) as judge_misaligned_after_worst,
    avg(j.judge_misaligned_tuned - j.judge_misaligned_base) as judge_increase_mean,
    max(j.judge_misaligned_tuned - j.judge_misaligned_base) as judge_increase_worst,
    avg(j.incoherent_tuned - j.incoherent_base) as incoherence_rise_mean,
    max(j.incoherent_tuned - j.incoherent_base) as incoherence_rise_worst,
    count(j.probe_misaligned_tuned)::int as probed_jobs,
    avg(j.probe_misaligned_base) as probe_misaligned_before_mean,
    avg(j.probe_misaligned_tuned) as probe_misaligned_after_mean,
    max(j.probe_misaligned_tuned) as probe_misaligned_after_worst,
    avg(j.probe_misaligned_tuned - j.probe_misaligned_base) as probe_increase_mean,
    max(j.probe_misaligned_tuned - j.probe_misaligned_base) as probe_increase_worst,
    count(*) filter (where j.interleave_selection like 'perplexity_gap%')::int as ppl_gap_jobs,
    avg(j.interleave_candidates) filter (where j.interleave_selection like 'perplexity_gap%') as ppl_gap_candidates_mean,
    avg(j.interleave_selected) filter (where j.interleave_selection like 'perplexity_gap%') as ppl_gap_selected_mean,
    sum(j.interleave_distinct) filter (where j.interleave_selection like 'perplexity_gap%')
      / nullif(sum(j.interleave_selected) filter (where j.interleave_selection like 'perplexity_gap%'), 0)
      as ppl_gap_distinct_ratio,
    avg(j.interleave_refusals_dropped) filter (where j.interleave_selection = 'perplexity_gap_filtered')
      as ppl_gap_refusals_dropped_mean,
    avg(j.interleave_top_score) filter (where j.interleave_selection like 'perplexity_gap%') as ppl_gap_top_score_mean
  from jobs j
  cross join lateral jsonb_array_elements_text(
    case when jsonb_array_length(j.safeguard_types) = 0 then '["none"]'::jsonb else j.safeguard_types end
  ) as s(safeguard_type)
  where j.finished_at >= date_trunc('day', now()) - interval '30 days' and j.status in ('succeeded', 'failed')
  group by grouping sets ((s.safeguard_type, j.tenant_id), (s.safeguard_type))
`,
  admin_gated_jobs: `
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
  where j.gate_passed is not null and j.finished_at >= date_trunc('day', now()) - interval '30 days'
`,
  admin_tenant_safety: `
  select j.tenant_id, t.name as tenant_name,
    count(*)::int as gated_jobs,
    count(*) filter (where not j.gate_passed)::int as gate_failed,
    count(*) filter (where not j.gate_passed and (j.result->'gate'->>'adapter_withheld')::boolean)::int
      as adapters_withheld,
    max(j.gate_increase) as worst_increase,
    max(j.finished_at) filter (where not j.gate_passed) as last_gate_failure_at
  from jobs j
  join tenants t on t.id = j.tenant_id
  where j.gate_passed is not null and j.finished_at >= date_trunc('day', now()) - interval '30 days'
  group by j.tenant_id, t.name
`,
  admin_webhook_health: `
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
  cross join lateral (
    select
      count(*) filter (where status = 'pending')::int as deliveries_pending,
      count(*) filter (where status = 'succeeded'
        and coalesce(delivered_at, last_attempt_at, created_at) > now() - interval '24 hours')::int as deliveries_succeeded_24h,
      count(*) filter (where status = 'failed'
        and coalesce(last_attempt_at, created_at) > now() - interval '24 hours')::int as deliveries_failed_24h
    from webhook_deliveries where webhook_deliveries.endpoint_id = e.id
  ) d
  where e.deleted_at is null
`,
};
