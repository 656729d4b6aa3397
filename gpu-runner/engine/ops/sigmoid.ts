import type { Tensor } from "../graph/graph.ts";
import { emitUnary } from "./elementwise.ts";
import { single, type OpDef } from "./op-def.ts";

/** 1 / (1 + e⁻ˣ). */
export function sigmoid(x: Tensor): Tensor {
  return emitUnary("Sigmoid", x);
}

export const sigmoidOp: OpDef = {
  opType: "Sigmoid",
  grad: (node, dOut, b) => {
    const y = node.outputs[0];
    const dy = single(node, dOut);
    return [b.mul(dy, b.mul(y, b.sub(1, y)))];
  },
};
