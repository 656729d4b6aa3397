import type { Tensor } from "../graph/graph.ts";
import { emitUnary } from "./elementwise.ts";
import { single, type OpDef } from "./op-def.ts";

/** eˣ. */
export function exp(x: Tensor): Tensor {
  return emitUnary("Exp", x);
}

export const expOp: OpDef = {
  opType: "Exp",
  grad: (node, dOut, b) => {
    const y = node.outputs[0];
    const dy = single(node, dOut);
    return [b.mul(dy, y)];
  },
};
