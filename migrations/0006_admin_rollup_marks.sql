-- The admin views store closed hours and days (the *_rollup tables of 0005) and compute open ones live. A
-- change to a row whose buckets are already stored (a job that ends hours after it was created, a requeue
-- that clears started_at, a transaction that commits after its hour closed, a webhook attempt recorded after
-- its HTTP call) appends the hours it touches, before and after, to admin_rollup_dirty; the next refresh
-- recomputes those buckets and deletes the marks. A NULL hour with a tenant: the tenant's succeeded jobs
-- changed (duration percentiles). Lease renewals and other columns no view reads fire nothing.
CREATE FUNCTION admin_rollup_mark_job() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO admin_rollup_dirty (hour, tenant_id)
      SELECT DISTINCT date_trunc('hour', t, 'UTC'), OLD.tenant_id
      FROM unnest(ARRAY[OLD.created_at, OLD.queued_at, OLD.started_at, OLD.finished_at]) AS t WHERE t IS NOT NULL;
    IF OLD.status = 'succeeded' THEN
      INSERT INTO admin_rollup_dirty (hour, tenant_id) VALUES (NULL, OLD.tenant_id);
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO admin_rollup_dirty (hour, tenant_id)
      SELECT DISTINCT date_trunc('hour', t, 'UTC'), NEW.tenant_id
      FROM unnest(ARRAY[NEW.created_at, NEW.queued_at, NEW.started_at, NEW.finished_at]) AS t WHERE t IS NOT NULL;
    IF NEW.status = 'succeeded' THEN
      INSERT INTO admin_rollup_dirty (hour, tenant_id) VALUES (NULL, NEW.tenant_id);
    END IF;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER admin_rollup_mark_job
  AFTER INSERT OR DELETE OR UPDATE OF status, tenant_id, created_at, queued_at, started_at, finished_at,
    trained_tokens, error, result, config
  ON jobs FOR EACH ROW EXECUTE FUNCTION admin_rollup_mark_job();
--> statement-breakpoint
CREATE FUNCTION admin_rollup_mark_attempt() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO admin_rollup_dirty (hour) VALUES (date_trunc('hour', OLD.started_at, 'UTC'));
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO admin_rollup_dirty (hour) VALUES (date_trunc('hour', NEW.started_at, 'UTC'));
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER admin_rollup_mark_attempt
  AFTER INSERT OR DELETE OR UPDATE OF started_at, status_code, latency_ms, delivery_id
  ON webhook_attempts FOR EACH ROW EXECUTE FUNCTION admin_rollup_mark_attempt();
--> statement-breakpoint
-- The functions over `jobs` that the views call (0004) run with their owner's rights: only the owner and
-- the read-only role may call them.
REVOKE EXECUTE ON FUNCTION admin_queue_baseline(timestamptz), admin_tenant_job_durations(text[]) FROM PUBLIC;
--> statement-breakpoint
-- 0005 recreated the changed views, which drops their grants: grant every admin_* view again (the role
-- exists unless 0003 skipped it for want of CREATEROLE), and the functions they call. The *_rollup tables
-- get no grant.
DO $$
DECLARE
  v record;
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'guardtune_readonly') THEN
    FOR v IN SELECT viewname FROM pg_views WHERE schemaname = 'public' AND viewname LIKE 'admin\_%' LOOP
      EXECUTE format('GRANT SELECT ON public.%I TO guardtune_readonly', v.viewname);
    END LOOP;
    GRANT EXECUTE ON FUNCTION admin_queue_baseline(timestamptz), admin_tenant_job_durations(text[])
      TO guardtune_readonly;
  END IF;
END
$$;
