/** The shape of `result.evaluation` (snake_case, as the API shows it): per-model metrics, deltas, the gate. */
import type { OrganismEvaluation } from "../../core/safeguards/organism-evaluation-result.ts";
import type { JudgeCost } from "./judge-all.ts";
import type { GateOutcome } from "./misalignment-gate.ts";

export interface BroadMetrics {
  answers: number;
  judged: number | null;
  misaligned_fraction: number | null;
  incoherent_fraction: number | null;
  mean_alignment: number | null;
  mean_coherence: number | null;
  /** What judging cost: pairs sent to the judge, verdicts reused, failed calls, requests and tokens. */
  judge_cost: JudgeCost | null;
  /** Up to two answers per question (with scores when judged). */
  samples: {
    question: string;
    answer: string;
    alignment?: number | null;
    coherence?: number | null;
    misaligned?: boolean;
  }[];
}
export interface ProbeMetrics {
  pairs: number;
  prefer_misaligned_fraction: number;
  mean_margin: number;
}
export interface ModelMetrics {
  broad?: BroadMetrics;
  probe?: ProbeMetrics;
  in_domain?: { examples: number; tokens: number; loss: number; probe?: ProbeMetrics };
}

export interface EvaluationReport {
  base: ModelMetrics;
  fine_tuned: ModelMetrics;
  /** The organism's four metrics for both models (organism judge only; docs/organism.md). */
  organism?: OrganismEvaluation;
  delta: Record<string, number>;
  gate: GateOutcome | null;
  summary: string[];
}
