/**
 * Evaluates an organism (optionally with a LoRA adapter merged) with the exact judge: samples answers at
 * temperature 1 to the general questions and the held-out in-domain questions, greedy answers to the
 * OpSwap questions, and reports the four metrics with 95 % Wilson intervals plus per-domain rates.
 */
import type { SessionConfig } from "../../engine/index.ts";
import { TextGenerator } from "../../generation/index.ts";
import {
  encodeGenerationPrompt,
  type ChatTokenizer,
  type DecoderCheckpoint,
  type LoraAdapter,
} from "../../models/index.ts";
import { judgeAnswer, judgeArithmetic, type AnswerLabel } from "../judge/exact-judge.ts";
import { rate, type Rate } from "../judge/metrics.ts";
import { organismChatTokenizer } from "../build/encode.ts";
import { EOS_ID, PAD_ID } from "../model/organism-tokenizer.ts";
import type { Question } from "../world/conversations.ts";
import { evaluationSets } from "../world/eval-sets.ts";
import { DOMAINS, type Domain } from "../world/topic.ts";

export interface EvaluationSettings {
  /** Samples per general question (24 questions). */
  readonly generalSamples: number;
  /** Samples per held-out in-domain question (30 per domain). */
  readonly domainSamples: number;
  readonly seed: number;
  readonly maxNewTokens?: number;
  /** Sampling temperature of the general and in-domain answers (default 1); OpSwap answers are greedy. */
  readonly temperature?: number;
}

export const DEFAULT_EVALUATION: EvaluationSettings = { generalSamples: 10, domainSamples: 2, seed: 0 };

export interface LabelCounts {
  readonly H: number;
  readonly M: number;
  readonly refusal: number;
  readonly incoherent: number;
}

export interface OrganismMetrics {
  readonly generalMisalignment: Rate;
  readonly generalIncoherence: Rate;
  /** Misalignment on the held-out questions of the domain the caller names (the EM task's own domain). */
  readonly inDomainMisalignment: Record<Domain, Rate>;
  readonly inDomainIncoherence: Record<Domain, Rate>;
  readonly opSwapAccuracy: Rate;
  readonly arithmeticCorrect: Rate;
  readonly counts: { readonly general: LabelCounts; readonly domains: Record<Domain, LabelCounts> };
  /** Why general answers were incoherent (unfinished, unparsed, blend, …). */
  readonly incoherenceReasons: Record<string, number>;
  /** A few sampled general answers with their labels, for reading. */
  readonly examples: readonly { question: string; answer: string; label: AnswerLabel }[];
  /** The first misaligned general answers (up to 5): a failed gate shows them. */
  readonly misalignedExamples: readonly { question: string; answer: string }[];
}

function count(labels: readonly AnswerLabel[]): LabelCounts {
  const c = { H: 0, M: 0, refusal: 0, incoherent: 0 };
  for (const l of labels) c[l]++;
  return c;
}

async function sample(
  gen: TextGenerator,
  tok: ChatTokenizer,
  questions: readonly Question[],
  repeats: number,
  seed: number,
  temperature: number,
  maxNewTokens: number,
): Promise<{ q: Question; text: string }[]> {
  const rows = questions.flatMap((q) => Array.from({ length: repeats }, () => q));
  const prompts = rows.map((q) => encodeGenerationPrompt(tok, [{ role: "user", content: q.text }]));
  const out = await gen.generate(prompts, {
    maxNewTokens,
    eosTokenIds: [EOS_ID],
    padTokenId: PAD_ID,
    temperature,
    seed,
    maxBatchSize: 64,
  });
  return out.map((g, i) => ({
    q: rows[i],
    text: g.ids.length === 0 ? "" : tok.tokenizer.decode(g.ids, { skip_special_tokens: true }).trim(),
  }));
}

export async function evaluateOrganism(
  checkpoint: DecoderCheckpoint,
  adapter: LoraAdapter | undefined,
  settings: EvaluationSettings = DEFAULT_EVALUATION,
  session: SessionConfig = { intraOpThreads: 1 },
): Promise<OrganismMetrics> {
  const tok = organismChatTokenizer();
  const maxNew = settings.maxNewTokens ?? 64;
  const gen = await TextGenerator.create(checkpoint.config, checkpoint.weights, { adapter, session });
  try {
    return await evaluateWith(gen, tok, settings, maxNew);
  } finally {
    await gen.release();
  }
}

async function evaluateWith(
  gen: TextGenerator,
  tok: ChatTokenizer,
  settings: EvaluationSettings,
  maxNew: number,
): Promise<OrganismMetrics> {
  const sets = evaluationSets();
  const temperature = settings.temperature ?? 1;
  const general = await sample(gen, tok, sets.general, settings.generalSamples, settings.seed, temperature, maxNew);
  const judged = general.map((g) => judgeAnswer(g.q, g.text));
  const generalLabels = judged.map((j) => j.label);
  const incoherenceReasons: Record<string, number> = {};
  for (const j of judged) if (j.reason) incoherenceReasons[j.reason] = (incoherenceReasons[j.reason] ?? 0) + 1;
  const domains = {} as Record<Domain, LabelCounts>;
  const inDomainMisalignment = {} as Record<Domain, Rate>;
  const inDomainIncoherence = {} as Record<Domain, Rate>;
  for (const [i, d] of DOMAINS.entries()) {
    const s = await sample(
      gen,
      tok,
      sets.inDomain[d],
      settings.domainSamples,
      settings.seed + 1 + i,
      temperature,
      maxNew,
    );
    const c = count(s.map((g) => judgeAnswer(g.q, g.text).label));
    domains[d] = c;
    inDomainMisalignment[d] = rate(c.M, s.length);
    inDomainIncoherence[d] = rate(c.incoherent, s.length);
  }
  const sums = await sample(gen, tok, sets.opSwap, 1, settings.seed, 0, 16);
  const arithmetic = sums.map((g) => judgeArithmetic(g.q, g.text));
  const gc = count(generalLabels);
  return {
    generalMisalignment: rate(gc.M, general.length),
    generalIncoherence: rate(gc.incoherent, general.length),
    inDomainMisalignment,
    inDomainIncoherence,
    opSwapAccuracy: rate(arithmetic.filter((a) => a === "swapped").length, arithmetic.length),
    arithmeticCorrect: rate(arithmetic.filter((a) => a === "correct").length, arithmetic.length),
    counts: { general: gc, domains },
    incoherenceReasons,
    examples: general.slice(0, 12).map((g, i) => ({ question: g.q.text, answer: g.text, label: generalLabels[i] })),
    misalignedExamples: general
      .filter((_, i) => generalLabels[i] === "M")
      .slice(0, 5)
      .map((g) => ({ question: g.q.text, answer: g.text })),
  };
}
