-- guardtune_readonly: SELECT on the admin_* views and nothing else (no tables: not api_keys, datasets or
-- webhook secrets). The views run with their owner's rights, so the role needs no grant on the tables behind
-- them. NOLOGIN: an operator gives a login to a member role (docs/admin.md). Roles are cluster-wide, so the
-- role may already exist (another database of the same server, or a concurrent migration); a user without
-- CREATEROLE (some managed services) skips the role with a notice instead of failing the migration.
DO $$
DECLARE
  v record;
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'guardtune_readonly') THEN
    BEGIN
      CREATE ROLE guardtune_readonly NOLOGIN;
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN NULL;
      WHEN insufficient_privilege THEN
        RAISE NOTICE 'guardtune_readonly not created: % lacks CREATEROLE (see docs/admin.md)', current_user;
        RETURN;
    END;
  END IF;
  GRANT USAGE ON SCHEMA public TO guardtune_readonly;
  FOR v IN SELECT viewname FROM pg_views WHERE schemaname = 'public' AND viewname LIKE 'admin\_%' LOOP
    EXECUTE format('GRANT SELECT ON public.%I TO guardtune_readonly', v.viewname);
  END LOOP;
END
$$;
