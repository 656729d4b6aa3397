import type { Tensor } from "../graph/graph.ts";
import { emitUnary } from "./elementwise.ts";
import { single, type OpDef } from "./op-def.ts";

/** 1 / x. */
export function reciprocal(x: Tensor): Tensor {
  return emitUnary("Reciprocal", x);
}

export const reciprocalOp: OpDef = {
  opType: "Reciprocal",
  grad: (node, dOut, b) => {
    const y = node.outputs[0];
    const dy = single(node, dOut);
    return [b.neg(b.mul(dy, b.mul(y, y)))];
  },
};
