import type { Tensor } from "../graph/graph.ts";
import { staticSize } from "../graph/shape.ts";
import { firstOnly, inputsOf, single, type OpDef } from "./op-def.ts";
import { emitReduce, expandBack, reducedAxes } from "./reduce.ts";

/** Mean over `axes` (all when omitted). */
export function reduceMean(x: Tensor, axes?: readonly number[], keepdims = false): Tensor {
  return emitReduce("ReduceMean", x, axes, keepdims);
}

export const reduceMeanOp: OpDef = {
  opType: "ReduceMean",
  grad: (node, dOut, b) => {
    const [x] = inputsOf(node);
    const y = node.outputs[0];
    const n = staticSize(reducedAxes(node).map((a) => x.shape[a]));
    // The element count per output: static when the reduced dims are, else size(x)/size(y) at run time.
    const count = n ?? b.cast(b.div(b.size(x), b.size(y)), x.dtype);
    return firstOnly(node, b.div(expandBack(node, single(node, dOut), b), count));
  },
};
