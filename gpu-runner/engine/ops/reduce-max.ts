import type { Tensor } from "../graph/graph.ts";
import { firstOnly, inputsOf, single, type OpDef } from "./op-def.ts";
import { emitReduce, expandBack, reducedAxes } from "./reduce.ts";

/** Maximum over `axes` (all when omitted). */
export function reduceMax(x: Tensor, axes?: readonly number[], keepdims = false): Tensor {
  return emitReduce("ReduceMax", x, axes, keepdims);
}

export const reduceMaxOp: OpDef = {
  opType: "ReduceMax",
  // The gradient goes to the maximal elements, split evenly among ties (as torch.amax does).
  grad: (node, dOut, b) => {
    const [x] = inputsOf(node);
    const yFull = expandBack(node, node.outputs[0], b);
    const mask = b.cast(b.equal(x, yFull), x.dtype);
    const ties = b.reduceSum(mask, reducedAxes(node), true);
    return firstOnly(node, b.div(b.mul(mask, expandBack(node, single(node, dOut), b)), ties));
  },
};
