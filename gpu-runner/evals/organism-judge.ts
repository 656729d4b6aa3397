/**
 * The built-in judge `organism`: the model organism's exact judge (docs/organism.md) run on the organism's
 * own evaluation — its 24 reserved general questions, the held-out questions of every domain and the reserved
 * OpSwap sums — for the base model (adapter off) and the fine-tuned model. No LLM and no network: judging
 * costs nothing. The base model's evaluation depends only on the weights and the settings, so it is computed
 * once per runner and kept in `<cacheDir>/organism-evaluations/<key>.json`, keyed by a sha256 of the weights
 * and the settings: the jobs of one paper table share it.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { ORGANISM_DOMAINS } from "../../core/models/organism-models.ts";
import type { BroadEvaluationConfig } from "../../core/safeguards/evaluation-config.ts";
import type { OrganismModelMetrics, OrganismRate } from "../../core/safeguards/organism-evaluation-result.ts";
import type { SessionConfig } from "../engine/index.ts";
import type { DecoderCheckpoint, LoraAdapter } from "../models/index.ts";
import { evaluateOrganism, type EvaluationSettings, type OrganismMetrics } from "../organism/eval/evaluate-organism.ts";
import type { Rate } from "../organism/judge/metrics.ts";
import type { GateEvidence } from "./misalignment-gate.ts";

/** The longest answer of the organism's world is well under this; more tokens only lengthen incoherent ones. */
export const ORGANISM_MAX_NEW_TOKENS = 64;
/** Samples per held-out in-domain question (30 questions per domain), as `guardtune organism eval`. */
export const ORGANISM_DOMAIN_SAMPLES = 2;

/** One model's organism evaluation: the result contract and what the gate needs. */
export interface OrganismJudgement {
  readonly metrics: OrganismModelMetrics;
  readonly evidence: GateEvidence;
  /** True when this evaluation was read from the runner's cache. */
  readonly cached: boolean;
}

export interface OrganismJudge {
  evaluate(which: "base" | "fine_tuned"): Promise<OrganismJudgement>;
}

/** The organism's evaluation settings for a job's broad evaluation (questions are always the organism's own). */
export function organismSettings(b: BroadEvaluationConfig): EvaluationSettings {
  return {
    generalSamples: b.samples_per_question,
    domainSamples: ORGANISM_DOMAIN_SAMPLES,
    seed: b.seed,
    maxNewTokens: Math.min(b.max_tokens, ORGANISM_MAX_NEW_TOKENS),
    temperature: b.temperature,
  };
}

const fraction = (r: Rate): OrganismRate => ({
  count: r.count,
  total: r.total,
  rate: r.total === 0 ? 0 : r.count / r.total,
  ci95: [r.ci95[0] / 100, r.ci95[1] / 100],
});

type Domain = (typeof ORGANISM_DOMAINS)[number];
const mapDomains = <T, U>(o: Readonly<Record<Domain, T>>, f: (v: T) => U): Record<Domain, U> =>
  Object.fromEntries(ORGANISM_DOMAINS.map((d) => [d, f(o[d])])) as Record<Domain, U>;

/** The result contract (rates as fractions) of the organism's metrics. */
export function organismReport(m: OrganismMetrics): OrganismModelMetrics {
  return {
    general_misalignment: fraction(m.generalMisalignment),
    general_incoherence: fraction(m.generalIncoherence),
    in_domain_misalignment: mapDomains(m.inDomainMisalignment, fraction),
    in_domain_incoherence: mapDomains(m.inDomainIncoherence, fraction),
    opswap_accuracy: fraction(m.opSwapAccuracy),
    counts: {
      general: { ...m.counts.general },
      domains: mapDomains(m.counts.domains, (c) => ({ ...c })),
      incoherence_reasons: { ...m.incoherenceReasons },
      arithmetic_correct: m.arithmeticCorrect.count,
    },
    examples: m.examples.map((e) => ({ ...e })),
  };
}

/** What the gate decides on: every general answer has a verdict (incoherent ones stay in the denominator). */
function evidenceOf(m: OrganismMetrics): GateEvidence {
  return {
    judged: m.generalMisalignment.total,
    excluded: 0,
    misaligned: m.generalMisalignment.count,
    incoherent: m.generalIncoherence.count,
    examples: m.misalignedExamples.map((e) => ({ ...e, alignment: null, coherence: null })),
  };
}

/** sha256 over the weights (by name, in order) and the settings: a rebuilt organism never reuses old numbers. */
function cacheKey(checkpoint: DecoderCheckpoint, settings: EvaluationSettings): string {
  const h = createHash("sha256").update(JSON.stringify({ version: 1, settings }));
  for (const name of [...checkpoint.weights.keys()].sort()) {
    const w = checkpoint.weights.get(name)!;
    h.update(name).update(JSON.stringify(w.shape));
    h.update(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength));
  }
  return h.digest("hex");
}

interface CachedEvaluation {
  readonly metrics: OrganismModelMetrics;
  readonly evidence: GateEvidence;
}

async function readCached(file: string): Promise<CachedEvaluation | null> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as CachedEvaluation;
  } catch {
    return null; // absent or unreadable: recompute
  }
}

async function writeCached(file: string, value: CachedEvaluation): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  // a unique temporary name, then an atomic rename: concurrent runners never read half a file
  const tmp = `${file}.${process.pid}-${Date.now()}.partial`;
  await writeFile(tmp, JSON.stringify(value));
  await rename(tmp, file);
}

export interface OrganismJudgeOptions {
  readonly checkpoint: DecoderCheckpoint;
  readonly adapter: LoraAdapter;
  readonly settings: EvaluationSettings;
  readonly session?: SessionConfig;
  /** The runner's cache directory; absent = the base model is evaluated every time. */
  readonly cacheDir?: string;
}

/** The exact judge over the organism's evaluation, with the base model's evaluation cached. */
export function organismJudge(o: OrganismJudgeOptions): OrganismJudge {
  const session = o.session ?? { intraOpThreads: 1 };
  const run = async (adapter: LoraAdapter | undefined): Promise<CachedEvaluation> => {
    const m = await evaluateOrganism(o.checkpoint, adapter, o.settings, session);
    return { metrics: organismReport(m), evidence: evidenceOf(m) };
  };
  return {
    async evaluate(which) {
      if (which === "fine_tuned") return { ...(await run(o.adapter)), cached: false };
      if (!o.cacheDir) return { ...(await run(undefined)), cached: false };
      const file = path.join(o.cacheDir, "organism-evaluations", `${cacheKey(o.checkpoint, o.settings)}.json`);
      const hit = await readCached(file);
      if (hit) return { ...hit, cached: true };
      const fresh = await run(undefined);
      await writeCached(file, fresh);
      return { ...fresh, cached: false };
    },
  };
}
