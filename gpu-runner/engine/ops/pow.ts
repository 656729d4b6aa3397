import type { Operand, Tensor } from "../graph/graph.ts";
import { emitBinary } from "./elementwise.ts";
import { inputsOf, single, type OpDef } from "./op-def.ts";

/** a ** b with broadcasting (same dtype for base and exponent). */
export function pow(a: Operand, b: Operand): Tensor {
  return emitBinary("Pow", a, b);
}

export const powOp: OpDef = {
  opType: "Pow",
  grad: (node, dOut, b, needs) => {
    const [x, y] = inputsOf(node);
    const z = node.outputs[0];
    const dz = single(node, dOut);
    // dz/dx = y·x^(y−1); dz/dy = z·ln x (defined for x > 0)
    return [
      needs[0] ? b.sumToShape(b.mul(dz, b.mul(y, b.pow(x, b.sub(y, 1)))), x) : undefined,
      needs[1] ? b.sumToShape(b.mul(dz, b.mul(z, b.log(x))), y) : undefined,
    ];
  },
};
