/**
 * Picking the next token from one row of logits: greedy (argmax, first index on ties, as torch), or
 * temperature + top-p (nucleus) sampling in transformers' order (temperature, then top-p, then a draw)
 * from a seeded generator, so the same seed gives the same tokens.
 */
import type { Rng } from "../engine/index.ts";

export interface SamplingSettings {
  /** 0 (or omitted) means greedy. */
  readonly temperature?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches top_p (1 = all). */
  readonly topP?: number;
}

/** Index of the largest value of `logits[offset, offset + n)`, relative to offset; first one on ties. */
export function argmax(logits: Float32Array, offset = 0, n = logits.length - offset): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = logits[offset + i];
    if (v > bestValue || (Number.isNaN(v) && !Number.isNaN(bestValue))) {
      best = i;
      bestValue = v;
    }
  }
  return best;
}

/** One token from logits [offset, offset + n). */
export function sampleToken(
  logits: Float32Array,
  settings: SamplingSettings,
  rng: Rng,
  offset = 0,
  n = logits.length - offset,
): number {
  const temperature = settings.temperature ?? 0;
  if (temperature <= 0) return argmax(logits, offset, n);
  const topP = settings.topP ?? 1;
  if (!(topP > 0 && topP <= 1)) throw new RangeError(`top_p must be in (0, 1], got ${topP}`);
  // scaled logits and their softmax, in double
  const scaled = new Float64Array(n);
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    scaled[i] = Math.fround(logits[offset + i] / temperature);
    if (scaled[i] > max) max = scaled[i];
  }
  const probs = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += probs[i] = Math.exp(scaled[i] - max);
  for (let i = 0; i < n; i++) probs[i] /= sum;
  // descending by probability (index order breaks ties, so results do not depend on the sort)
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => probs[b] - probs[a] || a - b);
  let keep = n;
  if (topP < 1) {
    // transformers removes, in ascending order, the tokens whose cumulative probability stays ≤ 1 − top_p
    let tail = 0;
    keep = n;
    for (let k = n - 1; k > 0; k--) {
      tail += probs[order[k]];
      if (tail <= 1 - topP) keep = k;
      else break;
    }
  }
  let mass = 0;
  for (let k = 0; k < keep; k++) mass += probs[order[k]];
  const u = rng.uniform() * mass;
  let acc = 0;
  for (let k = 0; k < keep; k++) {
    acc += probs[order[k]];
    if (u < acc) return order[k];
  }
  return order[keep - 1];
}
