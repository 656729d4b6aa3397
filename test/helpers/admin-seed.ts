import { sql } from "drizzle-orm";
import type { Database } from "../../core/db/database.ts";

/**
 * Fills a migrated database with admin-view material over the last 40 days, relative to now(): `jobs` jobs
 * 48 min apart for four tenants (one without jobs), the newest in the open hour; every terminal status,
 * jobs that never started, two jobs queued 39 days ago and still waiting (the queue-depth baseline), failure
 * codes, gate verdicts and evaluation numbers for each safeguard mix, and webhook deliveries with one or two
 * attempts for a third of the ended jobs.
 */
export async function seedAdminData(db: Database, jobs = 1200): Promise<void> {
  const execAll = async (statements: string) => {
    for (const statement of statements.split(/;\s*\n/).filter((s) => s.trim())) await db.execute(sql.raw(statement));
  };
  await execAll(
    `
    insert into tenants (id, name) select 'ten_' || t, 'tenant-' || t from generate_series(1, 4) t;
    insert into datasets (id, tenant_id, filename, purpose, status, bytes, object_key)
      select 'file_' || t, 'ten_' || t, 'train.jsonl', 'fine-tune', case when t = 2 then 'invalid' else 'ready' end,
        1000, 'k' || t from generate_series(1, 3) t;`,
  );
  await execAll(
    `
    insert into jobs (id, tenant_id, status, model, training_dataset_id, config, result, error, trained_tokens,
      created_at, updated_at, queued_at, started_at, finished_at)
    select 'ftjob_' || g, 'ten_' || tn, st, 'm', 'file_' || tn,
      jsonb_build_object('safeguards', (array['[]', '[{"type":"kl"}]', '[{"type":"interleave"}]',
        '[{"type":"kl"},{"type":"interleave"}]'])[1 + g % 4]::jsonb),
      case when st in ('succeeded', 'failed') and g % 7 <> 3 then jsonb_build_object(
        'evaluation', jsonb_build_object(
          'base', jsonb_build_object('broad', jsonb_build_object('misaligned_fraction', b, 'incoherent_fraction', 0.05),
            'probe', jsonb_build_object('prefer_misaligned_fraction', b / 2)),
          'fine_tuned', jsonb_build_object('broad', jsonb_build_object('misaligned_fraction', a, 'incoherent_fraction', 0.01 * (g % 9)),
            'probe', jsonb_build_object('prefer_misaligned_fraction', a / 3))),
        'gate', jsonb_build_object('passed', a - b <= 0.1, 'metric', 'judge_misaligned_fraction', 'threshold', 0.1,
          'base', b, 'fine_tuned', a, 'increase', a - b, 'adapter_withheld', a - b > 0.1 and g % 2 = 0,
          'explanation', 'e', 'examples', '[]'::jsonb),
        'safeguards', case when g % 4 >= 2 then jsonb_build_object('interleave', jsonb_build_object(
          'selection', case when g % 3 = 0 then 'perplexity_gap_filtered' else 'perplexity_gap' end,
          'candidates', 100 + g % 50, 'selected', 40, 'distinct', 30 + g % 11, 'refusalsDropped', g % 5,
          'top', jsonb_build_array(jsonb_build_object('score', 1 + (g % 13) / 10.0)))) else '{}'::jsonb end)
      end,
      case when st = 'failed' then jsonb_build_object('code', (array['out_of_memory', 'misalignment_gate', 'dataset_unavailable'])[1 + g % 3],
        'message', 'failure ' || g) end,
      case when st in ('succeeded', 'failed') then 1000 + g else 0 end,
      c, c, case when st <> 'validating_files' then c + interval '2 seconds' end,
      case when st in ('queued', 'validating_files') or (st = 'cancelled' and g % 2 = 0) then null else c + w end,
      case when st in ('succeeded', 'failed', 'cancelled') then c + w + r end
    from (
      select g, tn, c, w, r, b, a,
        case
          when g in (5, 6) then 'queued'
          when c + w + r > now() then (array['queued', 'running', 'validating_files', 'cancelling'])[1 + g % 4]
          when g % 20 = 7 then 'cancelled'
          when g % 10 = 3 then 'failed'
          else 'succeeded'
        end as st
      from (
        select g, 1 + g % 3 as tn, now() - (${jobs} - g) * interval '48 minutes' + interval '30 seconds' as c,
          make_interval(secs => 5 + (g * 7919) % 900) as w, make_interval(secs => 120 + (g * 104729) % 3600) as r,
          0.02 + (g % 5) * 0.01 as b, 0.02 + (g % 5) * 0.01 + (array[0.24, 0.06, 0.04, 0.02])[1 + g % 4] as a
        from generate_series(1, ${jobs}) g
      ) t
    ) x;`,
  );
  await execAll(
    `
    insert into webhook_endpoints (id, tenant_id, url, events, secret)
      select 'we_' || t, 'ten_' || t, 'https://hooks.example.com/' || t, '["*"]', 'whsec_x' from generate_series(1, 3) t;
    insert into webhook_events (id, tenant_id, type, payload, created_at, fanned_out_at)
      select 'msg_' || id, tenant_id, 'fine_tuning.job.succeeded', '{}', finished_at, finished_at
      from jobs where finished_at is not null and right(id, 1)::int % 3 = 0;
    insert into webhook_deliveries (id, event_id, endpoint_id, tenant_id, status, attempts, last_attempt_at,
        last_status_code, last_latency_ms, created_at, delivered_at)
      select 'wd_' || e.id, e.id, 'we_' || substr(e.tenant_id, 5), e.tenant_id,
        case when h.code = 200 then 'succeeded' when abs(hashtext(e.id)) % 5 = 0 then 'pending' else 'failed' end,
        1, e.created_at, h.code, h.ms, e.created_at, case when h.code = 200 then e.created_at end
      from webhook_events e
      cross join lateral (select case when abs(hashtext(e.id)) % 4 = 0 then 500 else 200 end as code,
        30 + abs(hashtext(e.id)) % 400 as ms) h;
    insert into webhook_attempts (id, delivery_id, attempt, started_at, status_code, latency_ms)
      select 'wa1_' || id, id, 1, created_at, last_status_code, last_latency_ms from webhook_deliveries
      union all
      select 'wa2_' || id, id, 2, created_at + interval '1 minute', null, null from webhook_deliveries
        where last_status_code = 500;`,
  );
}
