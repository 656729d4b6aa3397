import type { Operand, Tensor } from "../graph/graph.ts";
import { emitBinary } from "./elementwise.ts";
import { inputsOf, single, type OpDef } from "./op-def.ts";

/** a / b with broadcasting. */
export function div(a: Operand, b: Operand): Tensor {
  return emitBinary("Div", a, b);
}

export const divOp: OpDef = {
  opType: "Div",
  grad: (node, dOut, b, needs) => {
    const [x, y] = inputsOf(node);
    const z = node.outputs[0];
    const dz = single(node, dOut);
    // dz/dx = 1/y; dz/dy = −x/y² = −z/y
    return [
      needs[0] ? b.sumToShape(b.div(dz, y), x) : undefined,
      needs[1] ? b.sumToShape(b.neg(b.div(b.mul(dz, z), y)), y) : undefined,
    ];
  },
};
