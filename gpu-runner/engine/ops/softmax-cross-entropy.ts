import { attr, intAttr } from "../graph/attrs.ts";
import type { Tensor } from "../graph/graph.ts";
import { inputsOf, type OpDef } from "./op-def.ts";

/**
 * ONNX SoftmaxCrossEntropyLoss without reduction over scores [N, C] and int64 labels [N]: the per-row loss
 * −log softmax(scores)[label] [N] (0 where label = ignoreIndex) and the log-probabilities [N, C]. One kernel
 * forward; its gradient rule is the closed form (softmax − one-hot) · dloss, so training never materialises
 * the chain rule through LogSoftmax and a gather over the classes.
 */
export function softmaxCrossEntropy(
  scores: Tensor,
  labels: Tensor,
  ignoreIndex = -100,
): { loss: Tensor; logProb: Tensor } {
  const what = `SoftmaxCrossEntropyLoss(${scores}, ${labels})`;
  if (scores.rank !== 2 || labels.rank !== 1) throw new Error(`${what}: scores must be [N, C] and labels [N]`);
  if (labels.dtype !== "int64") throw new Error(`${what}: labels must be int64`);
  const [loss, logProb] = scores.graph.addNode(
    "SoftmaxCrossEntropyLoss",
    [scores, labels],
    { reduction: attr.string("none"), ignore_index: attr.int(ignoreIndex) },
    [
      { dtype: scores.dtype, shape: [scores.shape[0]] },
      { dtype: scores.dtype, shape: scores.shape },
    ],
  );
  return { loss, logProb };
}

export const softmaxCrossEntropyOp: OpDef = {
  opType: "SoftmaxCrossEntropyLoss",
  grad: (node, dOut, b) => {
    const [, labels] = inputsOf(node);
    const logProb = node.outputs[1];
    const [dLoss, dLogProb] = dOut;
    const ignored = b.equal(labels, intAttr(node.attrs, "ignore_index")); // [N]
    const p = b.exp(logProb); // [N, C] softmax
    let dScores: Tensor | undefined;
    if (dLoss) {
      // ∂loss_n/∂scores_n = softmax_n − onehot(label_n), zero on ignored rows (their loss is the constant 0).
      const dl = b.unsqueeze(b.where(ignored, 0, dLoss), [1]); // [N, 1]
      const safe = b.unsqueeze(b.where(ignored, 0, labels), [1]); // [N, 1]
      dScores = b.scatterElements(b.mul(p, dl), safe, b.neg(dl), 1, "add");
    }
    if (dLogProb) {
      // through log_prob: d − softmax · Σ d (LogSoftmax's rule)
      const viaLogProb = b.sub(dLogProb, b.mul(p, b.reduceSum(dLogProb, [1], true)));
      dScores = dScores ? b.add(dScores, viaLogProb) : viaLogProb;
    }
    return [dScores, undefined];
  },
};
