import type { Tensor } from "../graph/graph.ts";
import { add } from "../ops/add.ts";
import { mul } from "../ops/mul.ts";
import { reciprocal } from "../ops/reciprocal.ts";
import { reduceMean } from "../ops/reduce-mean.ts";
import { sqrt } from "../ops/sqrt.ts";

/** Llama RMSNorm over the last axis: weight ⊙ x / √(mean(x²) + eps), in HF's operation order. */
export function rmsNorm(x: Tensor, weight: Tensor, eps: number): Tensor {
  const variance = reduceMean(mul(x, x), [-1], true); // [..., 1]
  const normed = mul(x, reciprocal(sqrt(add(variance, eps))));
  return mul(weight, normed);
}
