/**
 * SQL that fills a migrated database with `jobs` jobs over `spanDays` days (newest last), `eventsPerJob`
 * events each, webhook deliveries with one attempt for a third of the jobs, and results shaped like the
 * runner's (evaluation with sample answers, gate, interleave selection) — all with generate_series, so the
 * seed runs inside PostgreSQL. Statuses: the newest 0.05 % are queued/running, then 85 % succeeded (a
 * tenth of them failing the gate), 10 % failed, 5 % cancelled.
 */
export interface SeedShape {
  jobs: number;
  eventsPerJob: number;
  spanDays: number;
  tenants: number;
}

const SAFEGUARD_MIXES = `array['[]', '[{"type":"kl"}]', '[{"type":"interleave"}]', '[{"type":"kl"},{"type":"interleave"}]', '[{"type":"inoculation"}]', '[{"type":"ldifs"}]']`;

export function seedStatements(s: SeedShape): { label: string; sql: string }[] {
  const span = `interval '${s.spanDays} days'`;
  return [
    {
      label: "tenants and datasets",
      sql: `
      insert into tenants (id, name) select 'ten_b' || t, 'tenant-' || t from generate_series(1, ${s.tenants}) t;
      insert into datasets (id, tenant_id, filename, purpose, status, bytes, object_key)
        select 'file_b' || t, 'ten_b' || t, 'train.jsonl', 'fine-tune', 'ready', 1000, 'k' || t from generate_series(1, ${s.tenants}) t;`,
    },
    {
      label: `${s.jobs} jobs`,
      sql: `
      insert into jobs (id, tenant_id, status, model, training_dataset_id, config, result, error, trained_tokens,
        created_at, updated_at, queued_at, started_at, finished_at)
      select 'ftjob_b' || lpad(g::text, 8, '0'), 'ten_b' || (1 + g % ${s.tenants}), st, 'guardtune/tiny-random',
        'file_b' || (1 + g % ${s.tenants}),
        jsonb_build_object('seed', g, 'safeguards', (${SAFEGUARD_MIXES})[1 + g % 6]::jsonb),
        case when st in ('succeeded', 'failed') and g % 10 <> 3 then jsonb_build_object(
          'metrics', jsonb_build_object('steps', 100, 'final_loss', 0.7, 'losses', to_jsonb(array_fill(1.0, array[100]))),
          'evaluation', jsonb_build_object(
            'base', jsonb_build_object('broad', jsonb_build_object('misaligned_fraction', b, 'incoherent_fraction', 0.05,
              'samples', jsonb_build_array(jsonb_build_object('question', repeat('q', 80), 'answer', repeat('a', 600))))),
            'fine_tuned', jsonb_build_object('broad', jsonb_build_object('misaligned_fraction', a, 'incoherent_fraction', 0.09,
              'samples', jsonb_build_array(jsonb_build_object('question', repeat('q', 80), 'answer', repeat('a', 600)))))),
          'gate', jsonb_build_object('passed', a - b <= 0.1, 'metric', 'judge_misaligned_fraction', 'threshold', 0.1,
            'base', b, 'fine_tuned', a, 'increase', a - b, 'adapter_withheld', a - b > 0.1, 'explanation', repeat('e', 300),
            'examples', '[]'::jsonb),
          'safeguards', case when g % 6 in (2, 3) then jsonb_build_object('interleave', jsonb_build_object(
            'selection', 'perplexity_gap', 'candidates', 500, 'selected', 40, 'distinct', 40, 'refusalsDropped', 0,
            'top', jsonb_build_array(jsonb_build_object('score', 1.5)))) else '{}'::jsonb end)
        end,
        case when st = 'failed' then jsonb_build_object('code', (array['out_of_memory', 'misalignment_gate', 'dataset_unavailable'])[1 + g % 3], 'message', 'x') end,
        case when st in ('succeeded', 'failed') then 4096 else 0 end,
        c, c, c + interval '2 seconds',
        case when st in ('queued') or (st = 'cancelled' and g % 2 = 0) then null else c + w end,
        case when st in ('succeeded', 'failed', 'cancelled') then c + w + r end
      from (
        select g,
          now() - ${span} * (1 - g::double precision / ${s.jobs}) - interval '2 hours' as c,
          make_interval(secs => 5 + (g::bigint * 7919) % 900) as w,
          make_interval(secs => 120 + (g::bigint * 104729) % 3600) as r,
          0.02 + (g % 5) * 0.01 as b,
          0.02 + (g % 5) * 0.01 + (array[0.24, 0.06, 0.04, 0.02, 0.05, 0.07])[1 + g % 6] as a,
          case
            when g > ${s.jobs} - ${Math.max(1, Math.round(s.jobs * 0.0005))} then (case when g % 2 = 0 then 'queued' else 'running' end)
            when g % 20 = 7 then 'cancelled'
            when g % 10 = 3 then 'failed'
            else 'succeeded'
          end as st
        from generate_series(1, ${s.jobs}) g
      ) x;`,
    },
    {
      label: `${s.jobs * s.eventsPerJob} job events`,
      sql: `
      insert into job_events (id, job_id, seq, level, type, step, message, data, created_at)
      select j.id || '_' || e, j.id, e, 'info',
        case when e = 1 then 'job.created' when e = 2 then 'job.queued' when e = 3 then 'job.claimed' else 'metrics' end,
        e, 'Step ' || e, jsonb_build_object('step', e, 'loss', 2.0 / e), j.created_at + make_interval(secs => e * 10)
      from jobs j cross join generate_series(1, ${s.eventsPerJob}) e;`,
    },
    {
      label: "webhook endpoints, deliveries and attempts (a third of the jobs)",
      sql: `
      insert into webhook_endpoints (id, tenant_id, url, events, secret)
        select 'we_b' || t, 'ten_b' || t, 'https://hooks.example.com/' || t, '["*"]', 'whsec_x' from generate_series(1, ${s.tenants}) t;
      insert into webhook_events (id, tenant_id, type, payload, created_at, fanned_out_at)
        select 'msg_' || id, tenant_id, 'fine_tuning.job.succeeded', '{}', finished_at, finished_at
        from jobs where finished_at is not null and right(id, 1)::int % 3 = 0;
      insert into webhook_deliveries (id, event_id, endpoint_id, tenant_id, status, attempts, last_attempt_at,
          last_status_code, last_latency_ms, created_at, delivered_at)
        select 'wd_' || e.id, e.id, 'we_' || substr(e.tenant_id, 5), e.tenant_id,
          case when h.code = 200 then 'succeeded' else 'failed' end, 1, e.created_at, h.code, h.ms, e.created_at,
          case when h.code = 200 then e.created_at end
        from webhook_events e
        cross join lateral (select case when hashtext(e.id) % 17 = 0 then 500 else 200 end as code,
          30 + abs(hashtext(e.id)) % 400 as ms) h;
      insert into webhook_attempts (id, delivery_id, attempt, started_at, status_code, latency_ms)
        select 'wa_' || id, id, 1, created_at, last_status_code, last_latency_ms from webhook_deliveries;`,
    },
  ];
}
