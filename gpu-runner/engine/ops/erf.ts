import type { Tensor } from "../graph/graph.ts";
import { emitUnary } from "./elementwise.ts";
import { inputsOf, single, type OpDef } from "./op-def.ts";

/** Gauss error function (ORT's CPU kernel is float32 only). */
export function erf(x: Tensor): Tensor {
  return emitUnary("Erf", x);
}

export const erfOp: OpDef = {
  opType: "Erf",
  grad: (node, dOut, b) => {
    const [x] = inputsOf(node);
    const dy = single(node, dOut);
    return [b.mul(dy, b.mul(b.exp(b.neg(b.mul(x, x))), 2 / Math.sqrt(Math.PI)))];
  },
};
