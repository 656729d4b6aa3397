import type { Tensor } from "../graph/graph.ts";
import { equal, not } from "../ops/compare.ts";
import { gatherElements } from "../ops/gather-elements.ts";
import { logSoftmax } from "../ops/log-softmax.ts";
import { neg } from "../ops/neg.ts";
import { squeeze } from "../ops/squeeze.ts";
import { unsqueeze } from "../ops/unsqueeze.ts";
import { where } from "../ops/where.ts";
import { maskedReduce, type Reduction } from "./masked-reduce.ts";

export interface CrossEntropyOptions {
  /** Label value that is not supervised (default −100, as torch and HF). */
  readonly ignoreIndex?: number;
  /** "mean" over supervised positions (default), "sum", or "none" (per position, 0 where ignored). */
  readonly reduction?: Reduction;
}

/** Cross-entropy of logits [..., V] against int64 labels [...]; no label shifting (slice before calling). */
export function crossEntropy(logits: Tensor, labels: Tensor, options: CrossEntropyOptions = {}): Tensor {
  if (labels.dtype !== "int64") throw new Error(`crossEntropy: labels ${labels} must be int64`);
  if (labels.rank !== logits.rank - 1)
    throw new Error(`crossEntropy: labels ${labels} must have the leading dims of ${logits}`);
  const supervised = not(equal(labels, options.ignoreIndex ?? -100)); // [...]
  const safe = where(supervised, labels, 0); // ignored positions read class 0, then get masked out
  const logp = logSoftmax(logits, -1); // [..., V]
  const picked = squeeze(gatherElements(logp, unsqueeze(safe, [-1]), -1), [-1]); // [...]
  return maskedReduce(neg(picked), supervised, options.reduction ?? "mean");
}
