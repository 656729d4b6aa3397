import type { Tensor } from "../graph/graph.ts";
import { emitUnary } from "./elementwise.ts";
import { inputsOf, single, type OpDef } from "./op-def.ts";

/** cos x. */
export function cos(x: Tensor): Tensor {
  return emitUnary("Cos", x);
}

export const cosOp: OpDef = {
  opType: "Cos",
  grad: (node, dOut, b) => {
    const [x] = inputsOf(node);
    const dy = single(node, dOut);
    return [b.neg(b.mul(dy, b.sin(x)))];
  },
};
