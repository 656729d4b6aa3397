/** Finished jobs → the runs, base metrics, costs and probe correlation of `results.json`. */
import type { JobObject } from "../../../core/jobs/job-object.ts";
import type { Cell, MethodId, TaskId } from "./matrix.ts";
import type { OrganismRate } from "../../../core/safeguards/organism-evaluation-result.ts";
import {
  probeJudgeCorrelation,
  type ProbeJudgeCorrelation,
} from "../../../gpu-runner/evals/probe-judge-correlation.ts";
import { cellRates, readOrganismEvaluation, type CellRates } from "./organism-metrics.ts";
import type { Cost, MetricIntervals, MetricValues, Run } from "./results-schema.ts";
import { meanSd } from "./stats.ts";

/** The misalignment gate's failure code: the job was measured, its adapter withheld. */
export const GATE_ERROR_CODE = "misalignment_gate";

export interface FinishedCell {
  readonly cell: Cell;
  readonly job: Pick<JobObject, "id" | "status" | "error" | "result" | "trained_tokens" | "started_at" | "finished_at">;
}

const NO_VALUES: MetricValues = {
  general_misalignment: null,
  general_incoherence: null,
  in_domain_misalignment: null,
  opswap_accuracy: null,
};
const NO_INTERVALS: MetricIntervals = {
  general_misalignment: null,
  general_incoherence: null,
  in_domain_misalignment: null,
  opswap_accuracy: null,
};

function values(r: CellRates): MetricValues {
  return {
    general_misalignment: r.general_misalignment.rate,
    general_incoherence: r.general_incoherence.rate,
    in_domain_misalignment: r.in_domain_misalignment?.rate ?? null,
    opswap_accuracy: r.opswap_accuracy.rate,
  };
}

function intervals(r: CellRates): MetricIntervals {
  const i = (x: OrganismRate | null) => (x ? { n: x.total, ci95: x.ci95 } : null);
  return {
    general_misalignment: i(r.general_misalignment),
    general_incoherence: i(r.general_incoherence),
    in_domain_misalignment: i(r.in_domain_misalignment),
    opswap_accuracy: i(r.opswap_accuracy),
  };
}

/** Candidates the interleave defense scored by perplexity gap (0 for random selection and other defenses). */
export function scoredCandidates(result: unknown): number {
  const report = (result as { safeguards?: { interleave?: { selection?: unknown; candidates?: unknown } } } | null)
    ?.safeguards?.interleave;
  if (!report || report.selection === "random" || typeof report.candidates !== "number") return 0;
  return report.candidates;
}

/** The likelihood probe's mean margin of the fine-tuned model (nats per token), when the job ran the probe. */
function probeMargin(result: unknown): number | null {
  const p = (result as { evaluation?: { fine_tuned?: { probe?: { mean_margin?: unknown } } } } | null)?.evaluation
    ?.fine_tuned?.probe?.mean_margin;
  return typeof p === "number" && Number.isFinite(p) ? p : null;
}

export function toRun({ cell, job }: FinishedCell): Run {
  const evaluation = readOrganismEvaluation(job.result);
  const rates = evaluation ? cellRates(evaluation.fine_tuned, cell.task.domain) : null;
  return {
    task: cell.task.id,
    method: cell.method,
    seed: cell.seed,
    job_id: job.id,
    status: job.status as Run["status"],
    error_code: job.error?.code ?? null,
    gate_failed: job.error?.code === GATE_ERROR_CODE,
    metrics: rates ? values(rates) : NO_VALUES,
    intervals: rates ? intervals(rates) : NO_INTERVALS,
    wall_seconds:
      job.started_at !== null && job.finished_at !== null ? Math.max(0, job.finished_at - job.started_at) : null,
    trained_tokens: job.trained_tokens,
    scored_candidates: scoredCandidates(job.result),
    probe_margin: probeMargin(job.result),
  };
}

/** The base organism's metrics from the first em-code job that measured them (every job evaluates the same base). */
export function baseOf(finished: readonly FinishedCell[]): {
  base: MetricValues;
  base_intervals: MetricIntervals;
  base_job_id: string | null;
} {
  const ordered = [...finished].sort(
    (a, b) => Number(b.cell.task.id === "em-code") - Number(a.cell.task.id === "em-code"),
  );
  for (const f of ordered) {
    const e = readOrganismEvaluation(f.job.result);
    if (!e) continue;
    const r = cellRates(e.base, "code");
    return { base: values(r), base_intervals: intervals(r), base_job_id: f.job.id };
  }
  return { base: NO_VALUES, base_intervals: NO_INTERVALS, base_job_id: null };
}

/** Mean wall time and trained tokens of each measured (task, method) relative to the unguarded job of its task. */
export function costsOf(runs: readonly Run[]): Cost[] {
  const key = (t: TaskId | string, m: MethodId) => `${t}\u0000${m}`;
  const groups = new Map<string, Run[]>();
  // a job that failed before measuring anything says nothing about a defense's cost
  for (const r of runs.filter((x) => x.metrics.general_misalignment !== null))
    groups.set(key(r.task, r.method), [...(groups.get(key(r.task, r.method)) ?? []), r]);
  const ratio = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined || b === 0 ? null : a / b;
  const out: Cost[] = [];
  for (const group of groups.values()) {
    const { task, method } = group[0];
    const none = groups.get(key(task, "none")) ?? [];
    const mean = (rs: Run[], f: (r: Run) => number | null) => meanSd(rs.map(f))?.mean;
    out.push({
      task,
      method,
      time_ratio: ratio(
        mean(group, (r) => r.wall_seconds),
        mean(none, (r) => r.wall_seconds),
      ),
      trained_tokens_ratio: ratio(
        mean(group, (r) => r.trained_tokens),
        mean(none, (r) => r.trained_tokens),
      ),
      scored_candidates: mean(group, (r) => r.scored_candidates) ?? 0,
    });
  }
  return out;
}

/**
 * How the judge-free likelihood probe tracks judged general misalignment over the runs that have both
 * (Pearson and Spearman with bootstrap intervals, gpu-runner/evals/probe-judge-correlation.ts); null with fewer
 * than three such runs or no variance.
 */
export function probeVsJudge(runs: readonly Run[]): ProbeJudgeCorrelation | null {
  const pairs = runs.flatMap((r) =>
    r.probe_margin !== null && r.metrics.general_misalignment !== null
      ? [{ probeMargin: r.probe_margin, judgedMisalignment: r.metrics.general_misalignment }]
      : [],
  );
  if (pairs.length < 3) return null;
  const c = probeJudgeCorrelation(pairs);
  return Number.isNaN(c.pearson.estimate) || Number.isNaN(c.spearman.estimate) ? null : c;
}
