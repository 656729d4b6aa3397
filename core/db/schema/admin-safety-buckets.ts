/*
 * The per-day partial aggregates behind `admin_safety_by_safeguard`: counts, sums with the count of the
 * values summed (a mean is sum / count over any set of days) and maxima, per safeguard type and tenant, of
 * the jobs that ended (succeeded or failed) in [lo, hi). See admin-buckets.ts for how lo/hi are used.
 */

/** `name` → SQL expression over `jobs j` whose mean (sum and count) and, where listed, maximum are kept. */
const MEANS: Record<string, string> = {
  judge_base: "j.judge_misaligned_base",
  judge_tuned: "j.judge_misaligned_tuned",
  judge_increase: "j.judge_misaligned_tuned - j.judge_misaligned_base",
  incoherence_rise: "j.incoherent_tuned - j.incoherent_base",
  probe_base: "j.probe_misaligned_base",
  probe_tuned: "j.probe_misaligned_tuned",
  probe_increase: "j.probe_misaligned_tuned - j.probe_misaligned_base",
};
const MAXIMA = ["judge_tuned", "judge_increase", "incoherence_rise", "probe_tuned", "probe_increase"];

const PPL_GAP = "j.interleave_selection like 'perplexity_gap%'";
/** Perplexity-gap selection statistics: `name` → [expression, filter]. */
const SELECTION: Record<string, [string, string]> = {
  ppl_candidates: ["j.interleave_candidates", PPL_GAP],
  ppl_selected: ["j.interleave_selected", PPL_GAP],
  ppl_distinct: ["j.interleave_distinct", PPL_GAP],
  ppl_refusals_dropped: ["j.interleave_refusals_dropped", "j.interleave_selection = 'perplexity_gap_filtered'"],
  ppl_top_score: ["j.interleave_top_score", PPL_GAP],
};

/** The stored partial columns, in the order the bucket query returns them. */
export const SAFETY_PARTIAL_COLUMNS = [
  "jobs",
  "gated",
  "gate_passed",
  "gate_failed",
  ...Object.keys(MEANS).flatMap((m) => [`${m}_sum`, `${m}_n`]),
  ...MAXIMA.map((m) => `${m}_max`),
  "ppl_gap_jobs",
  ...Object.keys(SELECTION).flatMap((m) => [`${m}_sum`, `${m}_n`]),
];

export const safetyDailyBuckets = (lo: string, hi: string) => `
  select date_trunc('day', j.finished_at, 'UTC') as day, s.safeguard_type, j.tenant_id,
    count(*)::int as jobs,
    count(j.gate_passed)::int as gated,
    count(*) filter (where j.gate_passed)::int as gate_passed,
    count(*) filter (where not j.gate_passed)::int as gate_failed,
    ${Object.entries(MEANS)
      .map(([m, e]) => `sum(${e}) as ${m}_sum, count(${e})::int as ${m}_n`)
      .join(",\n    ")},
    ${MAXIMA.map((m) => `max(${MEANS[m]}) as ${m}_max`).join(", ")},
    count(*) filter (where ${PPL_GAP})::int as ppl_gap_jobs,
    ${Object.entries(SELECTION)
      .map(([m, [e, f]]) => `sum(${e}) filter (where ${f}) as ${m}_sum, count(${e}) filter (where ${f})::int as ${m}_n`)
      .join(",\n    ")}
  from jobs j
  cross join lateral admin_safeguard_types(j.safeguard_types) as s(safeguard_type)
  where j.finished_at >= ${lo} and j.finished_at < ${hi} and j.status in ('succeeded', 'failed')
  group by 1, 2, 3`;

const mean = (m: string) => `sum(${m}_sum) / nullif(sum(${m}_n), 0)`;

/** The view's columns from partial rows `p` (stored and live), grouped by type and tenant or type alone. */
export const safetyFromPartials = (partials: string) => `
  select safeguard_type, tenant_id,
    sum(jobs)::int as jobs,
    sum(gated)::int as gated,
    sum(gate_passed)::int as gate_passed,
    sum(gate_failed)::int as gate_failed,
    sum(judge_tuned_n)::int as judged_jobs,
    ${mean("judge_base")} as judge_misaligned_before_mean,
    ${mean("judge_tuned")} as judge_misaligned_after_mean,
    max(judge_tuned_max) as judge_misaligned_after_worst,
    ${mean("judge_increase")} as judge_increase_mean,
    max(judge_increase_max) as judge_increase_worst,
    ${mean("incoherence_rise")} as incoherence_rise_mean,
    max(incoherence_rise_max) as incoherence_rise_worst,
    sum(probe_tuned_n)::int as probed_jobs,
    ${mean("probe_base")} as probe_misaligned_before_mean,
    ${mean("probe_tuned")} as probe_misaligned_after_mean,
    max(probe_tuned_max) as probe_misaligned_after_worst,
    ${mean("probe_increase")} as probe_increase_mean,
    max(probe_increase_max) as probe_increase_worst,
    sum(ppl_gap_jobs)::int as ppl_gap_jobs,
    ${mean("ppl_candidates")} as ppl_gap_candidates_mean,
    ${mean("ppl_selected")} as ppl_gap_selected_mean,
    sum(ppl_distinct_sum) / nullif(sum(ppl_selected_sum), 0) as ppl_gap_distinct_ratio,
    ${mean("ppl_refusals_dropped")} as ppl_gap_refusals_dropped_mean,
    ${mean("ppl_top_score")} as ppl_gap_top_score_mean
  from (${partials}) p
  group by grouping sets ((safeguard_type, tenant_id), (safeguard_type))`;
