import type { Tensor } from "../graph/graph.ts";
import { div } from "../ops/div.ts";
import { mul } from "../ops/mul.ts";

/**
 * Inverted dropout with a mask fed from the host (0/1 of x's dtype, drawn from a seeded `Rng`), so that a
 * step is reproducible and resumable: x ⊙ mask / (1 − p).
 */
export function dropout(x: Tensor, keepMask: Tensor, p: number): Tensor {
  if (!(p >= 0 && p < 1)) throw new Error(`dropout: probability ${p} must be in [0, 1)`);
  return p === 0 ? x : div(mul(x, keepMask), 1 - p);
}
