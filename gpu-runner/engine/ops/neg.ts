import type { Tensor } from "../graph/graph.ts";
import { emitUnary } from "./elementwise.ts";
import { single, type OpDef } from "./op-def.ts";

/** −x. */
export function neg(x: Tensor): Tensor {
  return emitUnary("Neg", x);
}

export const negOp: OpDef = {
  opType: "Neg",
  grad: (node, dOut, b) => {
    const dy = single(node, dOut);
    return [b.neg(dy)];
  },
};
