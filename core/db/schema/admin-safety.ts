import { sql } from "drizzle-orm";
import { boolean, doublePrecision, integer, jsonb, pgView, text } from "drizzle-orm/pg-core";
import { tenantSafetyDailyBuckets } from "./admin-buckets.ts";
import { CLOSED_DAY, DAY_WINDOW } from "./admin-rollups.ts";
import { SAFETY_PARTIAL_COLUMNS, safetyDailyBuckets, safetyFromPartials } from "./admin-safety-buckets.ts";
import { ts } from "./columns.ts";

/*
 * What the safeguards did, over the jobs that ended (succeeded or failed) in the last 30 days. Reads the
 * stored safety columns of `jobs` (see job-safety-columns.ts), not `result` itself.
 * "Misalignment" is reported per metric and never mixed: the judge's share of misaligned broad answers and
 * the likelihood probe's share of pairs preferring the misaligned answer; before = base model (adapter off),
 * after = fine-tuned. Increases are after − before per job, then averaged (mean) or maximised (worst).
 */

const SAFETY_WINDOW = sql.raw(DAY_WINDOW);

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
}).as(
  sql.raw(
    safetyFromPartials(`
    select safeguard_type, tenant_id, ${SAFETY_PARTIAL_COLUMNS.join(", ")} from admin_safety_daily_rollup
      where day >= ${DAY_WINDOW} and day < ${CLOSED_DAY}
    union all
    select safeguard_type, tenant_id, ${SAFETY_PARTIAL_COLUMNS.join(", ")}
      from (${safetyDailyBuckets(`greatest(${CLOSED_DAY}, ${DAY_WINDOW})`, "'infinity'")}) live`),
  ),
);

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
}).as(
  sql.raw(`
  select d.tenant_id, t.name as tenant_name,
    sum(d.gated_jobs)::int as gated_jobs,
    sum(d.gate_failed)::int as gate_failed,
    sum(d.adapters_withheld)::int as adapters_withheld,
    max(d.worst_increase) as worst_increase,
    max(d.last_gate_failure_at) as last_gate_failure_at
  from (
    select * from admin_tenant_safety_daily_rollup where day >= ${DAY_WINDOW} and day < ${CLOSED_DAY}
    union all
    select * from (${tenantSafetyDailyBuckets(`greatest(${CLOSED_DAY}, ${DAY_WINDOW})`, "'infinity'")}) live
  ) d
  join tenants t on t.id = d.tenant_id
  group by d.tenant_id, t.name
`),
);
