import { sql } from "drizzle-orm";
import { boolean, doublePrecision, integer, jsonb, pgView, text } from "drizzle-orm/pg-core";
import { ts } from "./columns.ts";

/*
 * What the safeguards did, over the jobs that ended (succeeded or failed) in the last 30 days. Reads the
 * stored safety columns of `jobs` (see job-safety-columns.ts), not `result` itself.
 * "Misalignment" is reported per metric and never mixed: the judge's share of misaligned broad answers and
 * the likelihood probe's share of pairs preferring the misaligned answer; before = base model (adapter off),
 * after = fine-tuned. Increases are after − before per job, then averaged (mean) or maximised (worst).
 */

const SAFETY_WINDOW = sql.raw(`date_trunc('day', now()) - interval '30 days'`);

/** Per safeguard type (a job with two safeguards counts for both; no safeguard = "none"). NULL tenant = all. */
export const adminSafetyBySafeguard = pgView("admin_safety_by_safeguard", {
  safeguardType: text("safeguard_type").notNull(),
  tenantId: text("tenant_id"),
  jobs: integer("jobs").notNull(),
  gated: integer("gated").notNull(),
  gatePassed: integer("gate_passed").notNull(),
  gateFailed: integer("gate_failed").notNull(),
  judgedJobs: integer("judged_jobs").notNull(),
  judgeMisalignedBeforeMean: doublePrecision("judge_misaligned_before_mean"),
  judgeMisalignedAfterMean: doublePrecision("judge_misaligned_after_mean"),
  judgeMisalignedAfterWorst: doublePrecision("judge_misaligned_after_worst"),
  judgeIncreaseMean: doublePrecision("judge_increase_mean"),
  judgeIncreaseWorst: doublePrecision("judge_increase_worst"),
  incoherenceRiseMean: doublePrecision("incoherence_rise_mean"),
  incoherenceRiseWorst: doublePrecision("incoherence_rise_worst"),
  probedJobs: integer("probed_jobs").notNull(),
  probeMisalignedBeforeMean: doublePrecision("probe_misaligned_before_mean"),
  probeMisalignedAfterMean: doublePrecision("probe_misaligned_after_mean"),
  probeMisalignedAfterWorst: doublePrecision("probe_misaligned_after_worst"),
  probeIncreaseMean: doublePrecision("probe_increase_mean"),
  probeIncreaseWorst: doublePrecision("probe_increase_worst"),
  /** Jobs whose interleave safeguard selected D_safe by perplexity gap (plain or refusal-filtered). */
  pplGapJobs: integer("ppl_gap_jobs").notNull(),
  pplGapCandidatesMean: doublePrecision("ppl_gap_candidates_mean"),
  pplGapSelectedMean: doublePrecision("ppl_gap_selected_mean"),
  /** Distinct selected items / selected: below 1 when a small pool made the selection repeat. */
  pplGapDistinctRatio: doublePrecision("ppl_gap_distinct_ratio"),
  pplGapRefusalsDroppedMean: doublePrecision("ppl_gap_refusals_dropped_mean"),
  pplGapTopScoreMean: doublePrecision("ppl_gap_top_score_mean"),
}).as(sql`
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
  where j.finished_at >= ${SAFETY_WINDOW} and j.status in ('succeeded', 'failed')
  group by grouping sets ((s.safeguard_type, j.tenant_id), (s.safeguard_type))
`);

/** Every job that went through the misalignment gate in the last 30 days, with the gate's evidence. */
export const adminGatedJobs = pgView("admin_gated_jobs", {
  jobId: text("job_id").notNull(),
  tenantId: text("tenant_id").notNull(),
  tenantName: text("tenant_name").notNull(),
  status: text("status").notNull(),
  finishedAt: ts("finished_at").notNull(),
  safeguardTypes: jsonb("safeguard_types").$type<string[]>().notNull(),
  passed: boolean("passed").notNull(),
  metric: text("metric"),
  threshold: doublePrecision("threshold"),
  before: doublePrecision("before"),
  after: doublePrecision("after"),
  increase: doublePrecision("increase"),
  adapterWithheld: boolean("adapter_withheld"),
  explanation: text("explanation"),
  /** Up to five answers or probe pairs that show what changed (the gate's own selection). */
  examples: jsonb("examples").$type<Record<string, unknown>[]>(),
}).as(sql`
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
  where j.gate_passed is not null and j.finished_at >= ${SAFETY_WINDOW}
`);

/** Per tenant: its gated jobs and how many the gate stopped. */
export const adminTenantSafety = pgView("admin_tenant_safety", {
  tenantId: text("tenant_id").notNull(),
  tenantName: text("tenant_name").notNull(),
  gatedJobs: integer("gated_jobs").notNull(),
  gateFailed: integer("gate_failed").notNull(),
  adaptersWithheld: integer("adapters_withheld").notNull(),
  worstIncrease: doublePrecision("worst_increase"),
  lastGateFailureAt: ts("last_gate_failure_at"),
}).as(sql`
  select j.tenant_id, t.name as tenant_name,
    count(*)::int as gated_jobs,
    count(*) filter (where not j.gate_passed)::int as gate_failed,
    count(*) filter (where not j.gate_passed and (j.result->'gate'->>'adapter_withheld')::boolean)::int
      as adapters_withheld,
    max(j.gate_increase) as worst_increase,
    max(j.finished_at) filter (where not j.gate_passed) as last_gate_failure_at
  from jobs j
  join tenants t on t.id = j.tenant_id
  where j.gate_passed is not null and j.finished_at >= ${SAFETY_WINDOW}
  group by j.tenant_id, t.name
`);
