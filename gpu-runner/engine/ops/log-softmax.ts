import { attr, intAttr } from "../graph/attrs.ts";
import type { Tensor } from "../graph/graph.ts";
import { normAxis } from "../graph/shape.ts";
import { single, type OpDef } from "./op-def.ts";

/** log(softmax(x)) along one axis, computed stably. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const a = normAxis(axis, x.rank, `LogSoftmax(${x})`);
  return x.graph.addNode("LogSoftmax", [x], { axis: attr.int(a) }, [{ dtype: x.dtype, shape: x.shape }])[0];
}

export const logSoftmaxOp: OpDef = {
  opType: "LogSoftmax",
  grad: (node, dOut, b) => {
    const y = node.outputs[0];
    const dy = single(node, dOut);
    const axis = intAttr(node.attrs, "axis");
    // dx = dy − softmax(x) · Σ dy
    return [b.sub(dy, b.mul(b.exp(y), b.reduceSum(dy, [axis], true)))];
  },
};
