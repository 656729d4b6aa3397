import type { Operand, Tensor } from "../graph/graph.ts";
import { emitBinary } from "./elementwise.ts";
import { inputsOf, single, type OpDef } from "./op-def.ts";

/** a + b with broadcasting. */
export function add(a: Operand, b: Operand): Tensor {
  return emitBinary("Add", a, b);
}

export const addOp: OpDef = {
  opType: "Add",
  grad: (node, dOut, b, needs) => {
    const [x, y] = inputsOf(node);
    const dy = single(node, dOut);
    return [needs[0] ? b.sumToShape(dy, x) : undefined, needs[1] ? b.sumToShape(dy, y) : undefined];
  },
};
