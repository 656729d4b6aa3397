import type { Operand, Tensor } from "../graph/graph.ts";
import { emitBinary } from "./elementwise.ts";
import { inputsOf, single, type OpDef } from "./op-def.ts";

/** a · b (elementwise) with broadcasting. */
export function mul(a: Operand, b: Operand): Tensor {
  return emitBinary("Mul", a, b);
}

export const mulOp: OpDef = {
  opType: "Mul",
  grad: (node, dOut, b, needs) => {
    const [x, y] = inputsOf(node);
    const dz = single(node, dOut);
    return [needs[0] ? b.sumToShape(b.mul(dz, y), x) : undefined, needs[1] ? b.sumToShape(b.mul(dz, x), y) : undefined];
  },
};
