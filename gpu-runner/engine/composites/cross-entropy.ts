import type { Tensor } from "../graph/graph.ts";
import { equal, not } from "../ops/compare.ts";
import { reshape } from "../ops/reshape.ts";
import { concat } from "../ops/concat.ts";
import { shape, shapeOf } from "../ops/shape.ts";
import { softmaxCrossEntropy } from "../ops/softmax-cross-entropy.ts";
import { maskedReduce, type Reduction } from "./masked-reduce.ts";

export interface CrossEntropyOptions {
  /** Label value that is not supervised (default −100, as torch and HF). */
  readonly ignoreIndex?: number;
  /** "mean" over supervised positions (default), "sum", or "none" (per position, 0 where ignored). */
  readonly reduction?: Reduction;
}

/**
 * Cross-entropy of logits [..., V] against int64 labels [...]; no label shifting (slice before calling).
 * One fused SoftmaxCrossEntropyLoss over the flattened positions: its gradient is (softmax − one-hot)·dloss
 * in three passes over [N, V], where LogSoftmax + GatherElements took seven (see ops/softmax-cross-entropy).
 */
export function crossEntropy(logits: Tensor, labels: Tensor, options: CrossEntropyOptions = {}): Tensor {
  if (labels.dtype !== "int64") throw new Error(`crossEntropy: labels ${labels} must be int64`);
  if (labels.rank !== logits.rank - 1)
    throw new Error(`crossEntropy: labels ${labels} must have the leading dims of ${logits}`);
  const ignoreIndex = options.ignoreIndex ?? -100;
  const v = logits.shape[logits.rank - 1];
  if (typeof v !== "number") throw new Error(`crossEntropy: the class dim of ${logits} must be static`);
  const flatLabels = labels.rank === 1 ? labels : reshape(labels, [-1]); // [N]
  // The logits take the labels' (symbolic) row count, so the gradient's [N] and [N, V] tensors broadcast.
  const rows = concat([shape(flatLabels), logits.graph.ints([v])], 0);
  rows.value = [flatLabels.shape[0], v];
  const flat = reshape(logits, rows); // [N, V]
  const { loss } = softmaxCrossEntropy(flat, flatLabels, ignoreIndex); // [N], 0 where ignored
  const perPosition = labels.rank === 1 ? loss : reshape(loss, shapeOf(labels)); // [...]
  return maskedReduce(perPosition, not(equal(labels, ignoreIndex)), options.reduction ?? "mean");
}
