/**
 * Chooses D_safe from the pool: a seeded random draw, or the perplexity-gap top candidates (optionally after
 * dropping refusals). Model scoring is injected (`NllScorer`), so this module is the selection logic only;
 * the runner scores through the engine's batched scoring path with the adapter off (aligned) and on
 * (each misaligned reference).
 */
import { Rng } from "../engine/index.ts";
import { perplexityGapScores, selectTopScores } from "./perplexity-gap.ts";
import { splitPoolItem, type PoolItem } from "./pool-item.ts";
import { isRefusal } from "./refusal-filter.ts";

export type InterleaveSelection = "random" | "perplexity_gap" | "perplexity_gap_filtered";

/** Mean NLL over each item's final answer tokens, in order (NaN for an item without answer tokens). */
export interface NllScorer {
  answerNll(items: readonly PoolItem[]): Promise<Float64Array>;
}

export interface SelectionInputs {
  readonly pool: readonly PoolItem[];
  /** |D_safe|. When larger than the usable pool, the selection is repeated in order (reported). */
  readonly count: number;
  readonly selection: InterleaveSelection;
  readonly seed: number;
  /** Score at most this many candidates (a seeded random subset of the pool). */
  readonly candidatesCap?: number;
  readonly epsilon: number;
  readonly aligned?: NllScorer;
  readonly references?: readonly NllScorer[];
  /** The refusal filter of `perplexity_gap_filtered` (default: the paper's phrase filter). */
  readonly isRefusal?: (answer: string) => boolean;
  /** Called after each model finished scoring the candidates. */
  readonly onScored?: (e: { model: string; candidates: number; seconds: number }) => void | Promise<void>;
}

export interface SelectedCandidate {
  readonly id: string;
  readonly score: number;
  readonly alignedNll: number;
  /** Mean over the misaligned references. */
  readonly misalignedNll: number;
  readonly question: string;
  readonly answer: string;
}

export interface SelectionReport {
  readonly selection: InterleaveSelection;
  readonly poolSize: number;
  /** Candidates considered after the cap (and scored, for the perplexity-gap modes). */
  readonly candidates: number;
  readonly refusalsDropped: number;
  readonly selected: number;
  /** Distinct pool items in the selection (< selected when the pool was too small and items repeat). */
  readonly distinct: number;
  readonly references: number;
  readonly scoringSeconds: number;
  /** Candidate scorings per second over all models (the perplexity-gap hot path). */
  readonly candidatesPerSecond: number | null;
  /** The highest-scoring selected candidates (at most 10), for the job's events. */
  readonly top: readonly SelectedCandidate[];
}

export interface SelectionResult {
  readonly items: readonly PoolItem[];
  readonly report: SelectionReport;
}

/** A seeded subset of at most `cap` indices, in pool order. */
export function capCandidates(size: number, cap: number | undefined, seed: number): number[] {
  const all = Array.from({ length: size }, (_, i) => i);
  if (cap === undefined || cap >= size) return all;
  return new Rng(seed)
    .shuffle(all)
    .slice(0, cap)
    .sort((a, b) => a - b);
}

const repeatTo = <T>(xs: readonly T[], n: number): T[] =>
  Array.from({ length: xs.length === 0 ? 0 : n }, (_, i) => xs[i % xs.length]);

export async function selectInterleaveData(inputs: SelectionInputs): Promise<SelectionResult> {
  const { pool, count, selection, seed } = inputs;
  let indices = capCandidates(pool.length, inputs.candidatesCap, seed);
  const before = indices.length;
  if (selection === "perplexity_gap_filtered") {
    const refusal = inputs.isRefusal ?? isRefusal;
    indices = indices.filter((i) => !refusal(splitPoolItem(pool[i]).answer));
  }
  const refusalsDropped = before - indices.length;
  const base = { selection, poolSize: pool.length, candidates: before, refusalsDropped };
  if (indices.length === 0) throw new RangeError("the interleave pool has no usable candidates");

  if (selection === "random") {
    const order = new Rng(seed).shuffle([...indices]);
    const items = repeatTo(order, count).map((i) => pool[i]);
    const distinct = Math.min(count, order.length);
    return {
      items,
      report: {
        ...base,
        selected: items.length,
        distinct,
        references: 0,
        scoringSeconds: 0,
        candidatesPerSecond: null,
        top: [],
      },
    };
  }

  if (!inputs.aligned || !inputs.references || inputs.references.length === 0) {
    throw new RangeError("perplexity-gap selection needs the aligned model and at least one misaligned reference");
  }
  const candidates = indices.map((i) => pool[i]);
  const t0 = performance.now();
  const timed = async (model: string, scorer: NllScorer) => {
    const t = performance.now();
    const nll = await scorer.answerNll(candidates);
    if (nll.length !== candidates.length)
      throw new RangeError(`${model} scored ${nll.length} of ${candidates.length} candidates`);
    await inputs.onScored?.({ model, candidates: candidates.length, seconds: (performance.now() - t) / 1000 });
    return nll;
  };
  const aligned = await timed("aligned", inputs.aligned);
  const misaligned: Float64Array[] = [];
  for (const [k, ref] of inputs.references.entries()) misaligned.push(await timed(`misaligned_${k}`, ref));
  const scoringSeconds = (performance.now() - t0) / 1000;
  const scores = perplexityGapScores({ aligned, misaligned, epsilon: inputs.epsilon });
  const chosen = selectTopScores(scores, count);
  const items = repeatTo(chosen, count).map((j) => candidates[j]);
  const top = chosen.slice(0, 10).map((j): SelectedCandidate => {
    const { prompt, answer } = splitPoolItem(candidates[j]);
    const question = [...prompt].reverse().find((m) => m.role === "user")?.content ?? "";
    const mis = misaligned.reduce((s, m) => s + m[j], 0) / misaligned.length;
    return { id: candidates[j].id, score: scores[j], alignedNll: aligned[j], misalignedNll: mis, question, answer };
  });
  const scorings = candidates.length * (1 + misaligned.length);
  return {
    items,
    report: {
      ...base,
      selected: items.length,
      distinct: chosen.length,
      references: misaligned.length,
      scoringSeconds,
      candidatesPerSecond: scoringSeconds > 0 ? scorings / scoringSeconds : null,
      top,
    },
  };
}
