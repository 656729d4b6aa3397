import type { Tensor } from "../graph/graph.ts";
import { add } from "../ops/add.ts";
import { exp } from "../ops/exp.ts";
import { mul } from "../ops/mul.ts";
import { reduceSum } from "../ops/reduce-sum.ts";
import { sub } from "../ops/sub.ts";
import { klDivergence } from "./kl-divergence.ts";
import { chunkedLogSumExp } from "./log-sum-exp.ts";
import { maskedReduce, type Reduction } from "./masked-reduce.ts";

/**
 * KL(p ‖ q) = Σ_v p (log p − log q) per position for p = softmax(pLogits), q = softmax(qLogits), with both logits
 * given as the same consecutive chunks of the class axis ([..., V₀], [..., V₁], … — a vocabulary projection split
 * so that no tensor exceeds a device's buffer limit). Equal to `klDivergence(concat(pChunks), concat(qChunks))`
 * without forming [..., V]: each model's log-sum-exp combines its chunks' (stop-gradient max shift, exact
 * derivative), each chunk's log-probabilities are its logits minus that, and the per-chunk sums of
 * p·(log p − log q) add up. Reduced over positions where `mask` holds; swap the arguments for the other direction.
 */
export function chunkedKlDivergence(
  pChunks: readonly Tensor[],
  qChunks: readonly Tensor[],
  mask?: Tensor,
  reduction: Reduction = "mean",
): Tensor {
  if (pChunks.length === 0 || pChunks.length !== qChunks.length)
    throw new Error(`chunkedKlDivergence: ${pChunks.length} p chunks against ${qChunks.length} q chunks`);
  pChunks.forEach((p, i) => {
    const [wp, wq] = [p.shape[p.rank - 1], qChunks[i].shape[qChunks[i].rank - 1]];
    if (typeof wp !== "number" || wp !== wq)
      throw new Error(`chunkedKlDivergence: chunk ${i} is ${p} for p but ${qChunks[i]} for q (static, equal widths)`);
  });
  if (pChunks.length === 1) return klDivergence(pChunks[0], qChunks[0], mask, reduction);
  const lseP = chunkedLogSumExp(pChunks); // [..., 1]
  const lseQ = chunkedLogSumExp(qChunks);
  let perPosition: Tensor | undefined; // [...]
  pChunks.forEach((p, i) => {
    const logp = sub(p, lseP); // [..., V_i]
    const logq = sub(qChunks[i], lseQ);
    const part = reduceSum(mul(exp(logp), sub(logp, logq)), [-1]); // [...]
    perPosition = perPosition === undefined ? part : add(perPosition, part);
  });
  return maskedReduce(perPosition!, mask, reduction);
}
