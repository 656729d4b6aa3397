import type { Operand, Tensor } from "../graph/graph.ts";
import { emitBinary } from "./elementwise.ts";
import { inputsOf, single, type OpDef } from "./op-def.ts";

/** a − b with broadcasting. */
export function sub(a: Operand, b: Operand): Tensor {
  return emitBinary("Sub", a, b);
}

export const subOp: OpDef = {
  opType: "Sub",
  grad: (node, dOut, b, needs) => {
    const [x, y] = inputsOf(node);
    const dy = single(node, dOut);
    return [needs[0] ? b.sumToShape(dy, x) : undefined, needs[1] ? b.sumToShape(b.neg(dy), y) : undefined];
  },
};
