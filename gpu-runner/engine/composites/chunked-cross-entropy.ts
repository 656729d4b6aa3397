import type { Tensor } from "../graph/graph.ts";
import { and, equal, greaterOrEqual, less, not } from "../ops/compare.ts";
import { gatherElements } from "../ops/gather-elements.ts";
import { squeeze } from "../ops/squeeze.ts";
import { sub } from "../ops/sub.ts";
import { add } from "../ops/add.ts";
import { unsqueeze } from "../ops/unsqueeze.ts";
import { where } from "../ops/where.ts";
import type { CrossEntropyOptions } from "./cross-entropy.ts";
import { chunkedLogSumExp } from "./log-sum-exp.ts";
import { maskedReduce } from "./masked-reduce.ts";

/**
 * Cross-entropy of logits given as consecutive chunks of the class axis ([..., V₀], [..., V₁], … — a vocabulary
 * projection split so that no single tensor exceeds a device's buffer limit) against int64 labels [...].
 * Equal to `crossEntropy(concat(chunks, −1), labels)` without materialising the [..., V] logits: the
 * log-sum-exp of each chunk, combined by a log-sum-exp over the chunks, minus the target logit taken from the
 * chunk that holds the label (the others contribute a masked 0).
 */
export function chunkedCrossEntropy(
  chunks: readonly Tensor[],
  labels: Tensor,
  options: CrossEntropyOptions = {},
): Tensor {
  if (chunks.length === 0) throw new Error("chunkedCrossEntropy: no logit chunks");
  if (labels.dtype !== "int64") throw new Error(`chunkedCrossEntropy: labels ${labels} must be int64`);
  const ignoreIndex = options.ignoreIndex ?? -100;
  let offset = 0;
  let target: Tensor | undefined;
  for (const z of chunks) {
    const width = z.shape[z.rank - 1];
    if (typeof width !== "number" || z.rank !== labels.rank + 1)
      throw new Error(`chunkedCrossEntropy: chunk ${z} must be [...labels, static width] for labels ${labels}`);
    const local = sub(labels, offset); // [...]
    const inChunk = and(greaterOrEqual(local, 0), less(local, width));
    const picked = squeeze(gatherElements(z, unsqueeze(where(inChunk, local, 0), [-1]), -1), [-1]); // [...]
    const masked = where(inChunk, picked, 0);
    target = target === undefined ? masked : add(target, masked);
    offset += width;
  }
  const lse = squeeze(chunkedLogSumExp(chunks), [-1]); // [...]
  const supervised = not(equal(labels, ignoreIndex));
  const perPosition = where(supervised, sub(lse, target!), 0); // [...], 0 where ignored
  return maskedReduce(perPosition, supervised, options.reduction ?? "mean");
}
