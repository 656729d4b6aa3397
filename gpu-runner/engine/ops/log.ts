import type { Tensor } from "../graph/graph.ts";
import { emitUnary } from "./elementwise.ts";
import { inputsOf, single, type OpDef } from "./op-def.ts";

/** Natural logarithm. */
export function log(x: Tensor): Tensor {
  return emitUnary("Log", x);
}

export const logOp: OpDef = {
  opType: "Log",
  grad: (node, dOut, b) => {
    const [x] = inputsOf(node);
    const dy = single(node, dOut);
    return [b.div(dy, x)];
  },
};
