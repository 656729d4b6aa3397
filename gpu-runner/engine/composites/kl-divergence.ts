import type { Tensor } from "../graph/graph.ts";
import { exp } from "../ops/exp.ts";
import { logSoftmax } from "../ops/log-softmax.ts";
import { mul } from "../ops/mul.ts";
import { reduceSum } from "../ops/reduce-sum.ts";
import { sub } from "../ops/sub.ts";
import { maskedReduce, type Reduction } from "./masked-reduce.ts";

/**
 * KL(p ‖ q) = Σ_v p (log p − log q) per position, for p = softmax(pLogits), q = softmax(qLogits) over the last
 * axis; reduced over positions where `mask` holds. Swap the arguments for the other direction.
 */
export function klDivergence(pLogits: Tensor, qLogits: Tensor, mask?: Tensor, reduction: Reduction = "mean"): Tensor {
  const logp = logSoftmax(pLogits, -1);
  const logq = logSoftmax(qLogits, -1);
  const perPosition = reduceSum(mul(exp(logp), sub(logp, logq)), [-1]); // [...]
  return maskedReduce(perPosition, mask, reduction);
}
