/**
 * Perplexity-gap selection ("Interleaving+"): for every candidate d = (q, a), L_θ(d) is the mean NLL of the
 * answer tokens given the prompt. s_d = (mean over misaligned references of L_mis(d) − L_aligned(d)) /
 * (L_aligned(d) + ε): large when the misaligned models find the answer surprising and the aligned model finds
 * it likely. The candidates with the highest s_d are kept.
 */
export interface GapInputs {
  /** L_aligned per candidate (the base model, adapter off). */
  readonly aligned: ArrayLike<number>;
  /** L_mis per candidate, one array per misaligned reference (same order). */
  readonly misaligned: readonly ArrayLike<number>[];
  readonly epsilon: number;
}

export function perplexityGapScores({ aligned, misaligned, epsilon }: GapInputs): Float64Array {
  if (misaligned.length === 0) throw new RangeError("perplexity-gap scoring needs at least one misaligned reference");
  for (const m of misaligned) {
    if (m.length !== aligned.length)
      throw new RangeError(`a reference scored ${m.length} candidates, the aligned model ${aligned.length}`);
  }
  const scores = new Float64Array(aligned.length);
  for (let d = 0; d < aligned.length; d++) {
    let mis = 0;
    for (const m of misaligned) mis += m[d];
    mis /= misaligned.length;
    scores[d] = (mis - aligned[d]) / (aligned[d] + epsilon);
  }
  return scores;
}

/**
 * Indices of the `count` highest scores, highest first; equal scores keep index order; NaN scores
 * (e.g. an answer without tokens) are never selected. Deterministic for equal inputs.
 */
export function selectTopScores(scores: ArrayLike<number>, count: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < scores.length; i++) if (!Number.isNaN(scores[i])) idx.push(i);
  idx.sort((a, b) => scores[b] - scores[a] || a - b);
  return idx.slice(0, Math.max(0, count));
}
