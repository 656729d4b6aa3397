-- Functions the admin views call (see core/db/schema/admin-buckets.ts). The two over `jobs` run with their
-- owner's rights (SECURITY DEFINER, fixed search_path) because a view's functions run as the reader, and the
-- read-only role may read no table; they return only what the views show. As functions they are planned
-- with their declared ROWS instead of a guess, which keeps the views' plans small; their own plans are
-- estimated without their arguments' values, so JIT (compiling for a large guessed cost, each call) is off.

-- Queue depth at a window start: jobs queued before it that had not left the queue by then, per tenant and
-- for all tenants (NULL; the empty grouping set gives that row even when the queue was empty).
CREATE FUNCTION admin_queue_baseline(window_start timestamptz) RETURNS TABLE (tenant_id text, n integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp SET jit = off ROWS 20 AS $$
  select s.tenant_id, count(*)::int from (
    select j.tenant_id from jobs j where j.started_at >= window_start and j.queued_at < window_start
    union all
    select j.tenant_id from jobs j
      where j.finished_at >= window_start and j.started_at is null and j.queued_at < window_start
    union all
    select j.tenant_id from jobs j
      where j.status in ('validating_files', 'queued') and j.started_at is null and j.queued_at < window_start
  ) s
  group by grouping sets ((s.tenant_id), ())
$$;
--> statement-breakpoint
-- Median and p95 of `finished_at - started_at` (seconds) over the succeeded jobs of each given tenant (NULL
-- for a tenant without one). One index lookup per tenant: a plan for `tenant_id = any($1)` made without the
-- array's value would read every job.
CREATE FUNCTION admin_tenant_job_durations(tenant_ids text[])
RETURNS TABLE (tenant_id text, median_job_duration_s double precision, p95_job_duration_s double precision)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp SET jit = off ROWS 1 AS $$
  select u.id, d.median, d.p95
  from unnest(tenant_ids) as u(id)
  cross join lateral (
    select
      percentile_cont(0.5) within group (order by extract(epoch from j.finished_at - j.started_at)::double precision) as median,
      percentile_cont(0.95) within group (order by extract(epoch from j.finished_at - j.started_at)::double precision) as p95
    from jobs j
    where j.tenant_id = u.id and j.status = 'succeeded' and j.started_at is not null and j.finished_at is not null
  ) d
$$;
--> statement-breakpoint
-- A job's safeguard types, "none" for plain fine-tuning. PL/pgSQL so that it is not inlined: the planner
-- then counts two rows per job, not the hundred it assumes for jsonb_array_elements_text.
CREATE FUNCTION admin_safeguard_types(types jsonb) RETURNS SETOF text
LANGUAGE plpgsql IMMUTABLE ROWS 2 AS $$
BEGIN
  RETURN QUERY SELECT jsonb_array_elements_text(
    CASE WHEN jsonb_array_length(types) = 0 THEN '["none"]'::jsonb ELSE types END);
END
$$;
