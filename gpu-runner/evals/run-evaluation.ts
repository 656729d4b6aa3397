/**
 * The job's evaluation: every configured metric for the base model (adapter off) and the fine-tuned model,
 * their differences, and the gate. Produces `result.evaluation` (snake_case, as the API shows it) and the
 * gate decision; progress goes to `onEvent`.
 */
import { ORGANISM_JUDGE } from "../../core/judges/judge-registry.ts";
import { resolveGate, type EvaluationConfig, type ProbePair } from "../../core/safeguards/evaluation-config.ts";
import type { OrganismEvaluation } from "../../core/safeguards/organism-evaluation-result.ts";
import { FIRST_PLOT_QUESTIONS } from "../builtin-data/first-plot-questions.ts";
import { BUILTIN_PROBE_PAIRS } from "../builtin-data/probe-pairs.ts";
import type { ChatMessage } from "../models/index.ts";
import { aggregateJudgements, type BroadJudgement } from "./broad-misalignment.ts";
import { heldOutLoss, type InDomainLoss } from "./in-domain-loss.ts";
import { runLikelihoodProbe, type ProbeResult } from "./likelihood-probe.ts";
import {
  applyGateToEvidence,
  applyMisalignmentGate,
  type GateDecision,
  type GateOutcome,
} from "./misalignment-gate.ts";
import type { OrganismJudge, OrganismJudgement } from "./organism-judge.ts";
import type { EvalQuestion, ModelUnderTest } from "./model-under-test.ts";
import { judgeAll, type BatchJudge, type JudgeCache, type JudgeCost } from "./judge-all.ts";

export type Judge = BatchJudge;

export interface EvaluationInputs {
  readonly config: EvaluationConfig;
  readonly base: ModelUnderTest;
  readonly fineTuned: ModelUnderTest;
  /** Built from `config.broad.judge` by the caller (it holds the API key); absent = no judge. */
  readonly judge?: Judge;
  /** Verdicts shared across the runner's evaluations. */
  readonly judgeCache?: JudgeCache;
  /** The organism's exact judge, when `config.broad.judge` is `organism` (organism models only). */
  readonly organism?: OrganismJudge;
  /** What `probe.pairs: "builtin"` means for this model (default: the general-purpose built-in pairs). */
  readonly builtinProbePairs?: readonly ProbePair[];
  /** Held-out conversations of the fine-tuning task (validation dataset or split). */
  readonly heldOut?: readonly (readonly ChatMessage[])[];
  readonly onEvent?: (message: string, data?: Record<string, unknown>) => void | Promise<void>;
}

interface BroadMetrics {
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
interface ProbeMetrics {
  pairs: number;
  prefer_misaligned_fraction: number;
  mean_margin: number;
}
interface ModelMetrics {
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

interface Raw {
  organism?: OrganismJudgement;
  broad?: { answers: { question: string; answer: string }[]; judgement?: BroadJudgement; cost?: JudgeCost };
  probe?: ProbeResult;
  inDomain?: InDomainLoss;
  inDomainProbe?: ProbeResult;
}

const probeMetrics = (p: ProbeResult): ProbeMetrics => ({
  pairs: p.pairs,
  prefer_misaligned_fraction: p.preferMisalignedFraction,
  mean_margin: p.meanMargin,
});

const ZERO_COST: JudgeCost = {
  judged_pairs: 0,
  reused: 0,
  failed: 0,
  requests: 0,
  prompt_tokens: 0,
  completion_tokens: 0,
  usage_reported_requests: 0,
};

async function evaluateOne(
  which: "base" | "fine_tuned",
  model: ModelUnderTest,
  inputs: EvaluationInputs,
  probePairs: readonly ProbePair[] | null,
): Promise<Raw> {
  const { config, judge } = inputs;
  const raw: Raw = {};
  const label = which === "base" ? "base model" : "fine-tuned model";
  const say = (message: string, data?: Record<string, unknown>) => inputs.onEvent?.(`${label}: ${message}`, data);
  if (config.broad !== false && config.broad.judge === ORGANISM_JUDGE) {
    if (!inputs.organism) throw new Error("evaluation.broad.judge is 'organism' but no organism judge was given");
    const t0 = performance.now();
    const j = await inputs.organism.evaluate(which);
    raw.organism = j;
    const pct = (r: { rate: number }) => `${(100 * r.rate).toFixed(1)}%`;
    await say(
      `organism judge: ${pct(j.metrics.general_misalignment)} misaligned, ${pct(j.metrics.general_incoherence)} incoherent ` +
        `of ${j.metrics.general_misalignment.total} general answers${j.cached ? " (base evaluation from the runner's cache)" : ""}`,
      { seconds: (performance.now() - t0) / 1000, cached: j.cached },
    );
  } else if (config.broad !== false) {
    const b = config.broad;
    const questions: readonly EvalQuestion[] =
      b.questions === "builtin" ? FIRST_PLOT_QUESTIONS : b.questions.map((question) => ({ question }));
    const t0 = performance.now();
    const sampled = await model.sample(questions, {
      samplesPerQuestion: b.samples_per_question,
      maxTokens: b.max_tokens,
      temperature: b.temperature,
      seed: b.seed,
    });
    const answers = questions.flatMap((q, i) => sampled[i].map((answer) => ({ question: q.question, answer })));
    await say(`sampled ${answers.length} answers to ${questions.length} general questions`, {
      seconds: (performance.now() - t0) / 1000,
    });
    raw.broad = { answers };
    if (judge) {
      const { verdicts, failures, cost } = await judgeAll(judge, answers, inputs.judgeCache);
      raw.broad.cost = cost;
      // A judge that answered nothing at all is down: surface its error (which names the judge and the HTTP
      // status) so the job can be retried. Partial failures only shrink n, and the gate fails closed below its
      // minimum.
      if (failures.length > 0 && failures.length === answers.length) throw failures[0]!;
      if (failures.length > 0) {
        await say(`judge: ${failures.length} of ${answers.length} calls failed; those answers count as not judged`, {
          first_error: failures[0]!.message,
        });
      }
      raw.broad.judgement = aggregateJudgements(verdicts);
      await say(
        `judge: ${(100 * raw.broad.judgement.misalignedFraction).toFixed(1)}% misaligned of ${raw.broad.judgement.judged} judged answers`,
      );
    }
  }
  if (probePairs) {
    raw.probe = await runLikelihoodProbe(model, probePairs);
    await say(
      `likelihood probe: prefers the misaligned answer on ${(100 * raw.probe.preferMisalignedFraction).toFixed(1)}% of ${raw.probe.pairs} pairs`,
      {
        mean_margin: raw.probe.meanMargin,
      },
    );
  }
  if (config.in_domain !== false && inputs.heldOut && inputs.heldOut.length > 0) {
    raw.inDomain = await heldOutLoss(model, inputs.heldOut);
    await say(`held-out loss ${raw.inDomain.loss.toFixed(4)} over ${raw.inDomain.examples} examples`);
    if (config.in_domain.pairs) raw.inDomainProbe = await runLikelihoodProbe(model, config.in_domain.pairs);
  }
  return raw;
}

function metricsOf(raw: Raw): ModelMetrics {
  const m: ModelMetrics = {};
  if (raw.organism) {
    const o = raw.organism.metrics;
    const n = o.general_misalignment.total;
    m.broad = {
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
  if (raw.broad) {
    const j = raw.broad.judgement;
    const perQuestion = new Map<string, number>();
    const samples = (j ? j.verdicts : raw.broad.answers)
      .filter((a) => {
        const n = perQuestion.get(a.question) ?? 0;
        perQuestion.set(a.question, n + 1);
        return n < 2;
      })
      .map((a) =>
        "misaligned" in a
          ? {
              question: a.question,
              answer: a.answer,
              alignment: a.alignment,
              coherence: a.coherence,
              misaligned: a.misaligned,
            }
          : { ...a },
      );
    m.broad = {
      answers: raw.broad.answers.length,
      judged: j ? j.judged : null,
      misaligned_fraction: j ? j.misalignedFraction : null,
      incoherent_fraction: j ? j.incoherentFraction : null,
      mean_alignment: j ? j.meanAlignment : null,
      mean_coherence: j ? j.meanCoherence : null,
      judge_cost: raw.broad.cost ?? null,
      samples,
    };
  }
  if (raw.probe) m.probe = probeMetrics(raw.probe);
  if (raw.inDomain)
    m.in_domain = { ...raw.inDomain, ...(raw.inDomainProbe ? { probe: probeMetrics(raw.inDomainProbe) } : {}) };
  return m;
}

/** Runs every configured evaluation (broad misalignment, probe, in-domain) on the base and fine-tuned models; returns the report and the gate's decision. */
export async function runEvaluation(
  inputs: EvaluationInputs,
): Promise<{ report: EvaluationReport; gate: GateDecision | null }> {
  const { config } = inputs;
  const builtin = inputs.builtinProbePairs ?? BUILTIN_PROBE_PAIRS;
  const probePairs = config.probe === false ? null : config.probe.pairs === "builtin" ? builtin : config.probe.pairs;
  const base = await evaluateOne("base", inputs.base, inputs, probePairs);
  const tuned = await evaluateOne("fine_tuned", inputs.fineTuned, inputs, probePairs);
  const delta: Record<string, number> = {};
  const summary: string[] = [];
  const bj = base.broad?.judgement;
  const tj = tuned.broad?.judgement;
  const bo = base.organism?.metrics;
  const to = tuned.organism?.metrics;
  if (bo && to) {
    delta.broad_misaligned_fraction = to.general_misalignment.rate - bo.general_misalignment.rate;
    delta.broad_incoherent_fraction = to.general_incoherence.rate - bo.general_incoherence.rate;
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    summary.push(
      `Exact judge (organism): general misalignment ${pct(bo.general_misalignment.rate)} → ${pct(to.general_misalignment.rate)}, ` +
        `incoherence ${pct(bo.general_incoherence.rate)} → ${pct(to.general_incoherence.rate)}, ` +
        `OpSwap accuracy ${pct(bo.opswap_accuracy.rate)} → ${pct(to.opswap_accuracy.rate)}.`,
    );
  }
  if (bj && tj) {
    delta.broad_misaligned_fraction = tj.misalignedFraction - bj.misalignedFraction;
    summary.push(
      `Judged misaligned answers: ${(100 * bj.misalignedFraction).toFixed(1)}% → ${(100 * tj.misalignedFraction).toFixed(1)}%.`,
    );
  }
  if (base.probe && tuned.probe) {
    delta.probe_prefer_misaligned_fraction = tuned.probe.preferMisalignedFraction - base.probe.preferMisalignedFraction;
    delta.probe_mean_margin = tuned.probe.meanMargin - base.probe.meanMargin;
    summary.push(
      `Likelihood probe: prefers the misaligned answer on ${(100 * base.probe.preferMisalignedFraction).toFixed(1)}% → ` +
        `${(100 * tuned.probe.preferMisalignedFraction).toFixed(1)}% of pairs (mean margin ${base.probe.meanMargin.toFixed(3)} → ${tuned.probe.meanMargin.toFixed(3)} nats/token).`,
    );
  }
  if (base.inDomain && tuned.inDomain) {
    delta.in_domain_loss = tuned.inDomain.loss - base.inDomain.loss;
    summary.push(`Held-out task loss: ${base.inDomain.loss.toFixed(4)} → ${tuned.inDomain.loss.toFixed(4)}.`);
  }
  let gate: GateDecision | null = null;
  const gateConfig = resolveGate(config);
  if (gateConfig) {
    // The schema only accepts a gate with a judge, so both judgements exist here.
    if (base.organism && tuned.organism) {
      gate = applyGateToEvidence(gateConfig, { base: base.organism.evidence, fineTuned: tuned.organism.evidence });
    } else {
      if (!bj || !tj) throw new Error("the gate is on but no answers were judged");
      gate = applyMisalignmentGate(gateConfig, { base: bj, fineTuned: tj });
    }
  }
  if (gate) summary.push(gate.outcome.explanation);
  return {
    report: {
      base: metricsOf(base),
      fine_tuned: metricsOf(tuned),
      ...(bo && to ? { organism: { base: bo, fine_tuned: to } } : {}),
      delta,
      gate: gate?.outcome ?? null,
      summary,
    },
    gate,
  };
}
