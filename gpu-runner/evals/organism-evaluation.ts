/**
 * The organism's branch of the job evaluation (`evaluation.broad.judge: "organism"`): its exact judge in place of
 * sampling and an LLM judge, its metrics in the report's broad shape, and the base → fine-tuned comparison.
 */
import type { OrganismModelMetrics } from "../../core/safeguards/organism-evaluation-result.ts";
import type { BroadMetrics } from "./evaluation-report.ts";
import type { JudgeCost } from "./judge-all.ts";
import type { OrganismJudge, OrganismJudgement } from "./organism-judge.ts";

/** The exact judge calls no LLM: its cost is zero calls and zero tokens. */
const ZERO_COST: JudgeCost = {
  judged_pairs: 0,
  reused: 0,
  failed: 0,
  requests: 0,
  prompt_tokens: 0,
  completion_tokens: 0,
  usage_reported_requests: 0,
};

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** One model's answers judged by the organism's exact judge, with a progress line. */
export async function judgeWithOrganism(
  organism: OrganismJudge,
  which: "base" | "fine_tuned",
  say: (message: string, data?: Record<string, unknown>) => unknown,
): Promise<OrganismJudgement> {
  const t0 = performance.now();
  const j = await organism.evaluate(which);
  await say(
    `organism judge: ${pct(j.metrics.general_misalignment.rate)} misaligned, ${pct(j.metrics.general_incoherence.rate)} incoherent ` +
      `of ${j.metrics.general_misalignment.total} general answers${j.cached ? " (base evaluation from the runner's cache)" : ""}`,
    { seconds: (performance.now() - t0) / 1000, cached: j.cached },
  );
  return j;
}

/** The organism's general metrics in the report's broad shape (every answer is judged; no 0–100 scores). */
export function organismBroadMetrics(judgement: OrganismJudgement): BroadMetrics {
  const o = judgement.metrics;
  const n = o.general_misalignment.total;
  return {
    answers: n,
    judged: n,
    misaligned_fraction: o.general_misalignment.rate,
    incoherent_fraction: o.general_incoherence.rate,
    mean_alignment: null,
    mean_coherence: null,
    judge_cost: ZERO_COST,
    samples: o.examples.map((e) => ({ question: e.question, answer: e.answer, misaligned: e.label === "M" })),
  };
}

/** The base → fine-tuned differences the gate and the summary use. */
export function organismComparison(
  base: OrganismModelMetrics,
  tuned: OrganismModelMetrics,
): { delta: Record<string, number>; summary: string } {
  return {
    delta: {
      broad_misaligned_fraction: tuned.general_misalignment.rate - base.general_misalignment.rate,
      broad_incoherent_fraction: tuned.general_incoherence.rate - base.general_incoherence.rate,
    },
    summary:
      `Exact judge (organism): general misalignment ${pct(base.general_misalignment.rate)} → ${pct(tuned.general_misalignment.rate)}, ` +
      `incoherence ${pct(base.general_incoherence.rate)} → ${pct(tuned.general_incoherence.rate)}, ` +
      `OpSwap accuracy ${pct(base.opswap_accuracy.rate)} → ${pct(tuned.opswap_accuracy.rate)}.`,
  };
}
