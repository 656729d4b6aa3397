import { attr, intAttr } from "../graph/attrs.ts";
import type { Tensor } from "../graph/graph.ts";
import { normAxis } from "../graph/shape.ts";
import { single, type OpDef } from "./op-def.ts";

/** Softmax along one axis (opset ≥ 13 semantics). */
export function softmax(x: Tensor, axis = -1): Tensor {
  const a = normAxis(axis, x.rank, `Softmax(${x})`);
  return x.graph.addNode("Softmax", [x], { axis: attr.int(a) }, [{ dtype: x.dtype, shape: x.shape }])[0];
}

export const softmaxOp: OpDef = {
  opType: "Softmax",
  grad: (node, dOut, b) => {
    const y = node.outputs[0];
    const dy = single(node, dOut);
    const axis = intAttr(node.attrs, "axis");
    // dx = y ⊙ (dy − Σ dy⊙y)
    return [b.mul(y, b.sub(dy, b.reduceSum(b.mul(dy, y), [axis], true)))];
  },
};
