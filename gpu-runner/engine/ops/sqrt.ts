import type { Tensor } from "../graph/graph.ts";
import { emitUnary } from "./elementwise.ts";
import { single, type OpDef } from "./op-def.ts";

/** √x. */
export function sqrt(x: Tensor): Tensor {
  return emitUnary("Sqrt", x);
}

export const sqrtOp: OpDef = {
  opType: "Sqrt",
  grad: (node, dOut, b) => {
    const y = node.outputs[0];
    const dy = single(node, dOut);
    return [b.div(b.mul(dy, 0.5), y)];
  },
};
