import type { Tensor } from "../graph/graph.ts";
import { emitUnary } from "./elementwise.ts";
import { inputsOf, single, type OpDef } from "./op-def.ts";

/** sin x. */
export function sin(x: Tensor): Tensor {
  return emitUnary("Sin", x);
}

export const sinOp: OpDef = {
  opType: "Sin",
  grad: (node, dOut, b) => {
    const [x] = inputsOf(node);
    const dy = single(node, dOut);
    return [b.mul(dy, b.cos(x))];
  },
};
