/**
 * Rewrites for onnxruntime's CPU EP, applied when a graph is serialised for it:
 *
 * - SoftmaxCrossEntropyLoss(scores [N, C], labels [N]), reduction "none"
 *     → LogSoftmax over the last axis of the 2-D scores, loss = −GatherElements(logp, label) (ignored rows 0).
 *   ORT expands the fused op into a LogSoftmax over axis 1 of scores reshaped to [N, C, 1]; with the class
 *   axis not last, its CPU kernel transposes the whole [N, C] tensor in and out of a scratch buffer, which at
 *   a vocabulary of 8k–150k classes costs more than the log-softmax itself. The values are the same kernel's.
 *
 * The graph's tensors keep their names, so gradient nodes (built before lowering) are untouched.
 */
import { attr } from "../graph/attrs.ts";
import type { Graph, Node, Tensor } from "../graph/graph.ts";
import { node, softmaxCrossEntropyNodes } from "./lower-for-webgpu.ts";

const logSoftmaxLastAxis = (n: Node, _g: Graph, x: Tensor, y: Tensor, axis: number): Node[] => [
  node(n, "log_softmax", "LogSoftmax", [x], [y], { axis: attr.int(axis) }),
];

/** The node list of `g` with the CPU rewrites applied (the graph itself is not changed). */
export function lowerForCpu(g: Graph): Node[] {
  const out: Node[] = [];
  for (const n of g.nodes) {
    const lowered =
      n.domain === "" && n.opType === "SoftmaxCrossEntropyLoss"
        ? softmaxCrossEntropyNodes(n, g, logSoftmaxLastAxis)
        : undefined;
    out.push(...(lowered ?? [n]));
  }
  return out;
}
