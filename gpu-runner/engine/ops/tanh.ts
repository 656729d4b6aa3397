import type { Tensor } from "../graph/graph.ts";
import { emitUnary } from "./elementwise.ts";
import { single, type OpDef } from "./op-def.ts";

/** tanh x. */
export function tanh(x: Tensor): Tensor {
  return emitUnary("Tanh", x);
}

export const tanhOp: OpDef = {
  opType: "Tanh",
  grad: (node, dOut, b) => {
    const y = node.outputs[0];
    const dy = single(node, dOut);
    return [b.mul(dy, b.sub(1, b.mul(y, y)))];
  },
};
