import type { Tensor } from "../graph/graph.ts";
import { add } from "../ops/add.ts";
import { concat } from "../ops/concat.ts";
import { exp } from "../ops/exp.ts";
import { stopGradient } from "../ops/identity.ts";
import { log } from "../ops/log.ts";
import { reduceMax } from "../ops/reduce-max.ts";
import { reduceSum } from "../ops/reduce-sum.ts";
import { sub } from "../ops/sub.ts";

/**
 * log Σ exp(x) over the last axis [..., 1], shifted by the (constant) row maximum: the shift's derivative
 * cancels exactly, so cutting its gradient changes nothing but spares ReduceMax's tie bookkeeping.
 */
export function logSumExp(x: Tensor): Tensor {
  const m = stopGradient(reduceMax(x, [-1], true)); // [..., 1]
  return add(log(reduceSum(exp(sub(x, m)), [-1], true)), m);
}

/**
 * log Σ exp over the last axis of logits given as consecutive chunks [..., V₀], [..., V₁], … → [..., 1]: the
 * log-sum-exp of each chunk, combined by a log-sum-exp over the chunks; [..., V] is never formed.
 */
export function chunkedLogSumExp(chunks: readonly Tensor[]): Tensor {
  if (chunks.length === 0) throw new Error("chunkedLogSumExp: no chunks");
  const lses = chunks.map(logSumExp); // [..., 1] each
  return lses.length === 1 ? lses[0] : logSumExp(concat(lses, -1));
}
