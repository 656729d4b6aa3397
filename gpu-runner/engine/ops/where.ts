import { graphOf, toTensor, Tensor, type Operand } from "../graph/graph.ts";
import { broadcastShapes } from "../graph/shape.ts";
import { inputsOf, single, type OpDef } from "./op-def.ts";

/** cond ? a : b elementwise, with broadcasting. */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const g = graphOf([cond], "Where");
  if (cond.dtype !== "bool") throw new Error(`Where: condition ${cond} must be bool`);
  const dtype = a instanceof Tensor ? a.dtype : b instanceof Tensor ? b.dtype : "float32";
  const ta = toTensor(g, a, dtype);
  const tb = toTensor(g, b, dtype);
  if (ta.dtype !== tb.dtype) throw new Error(`Where: dtype mismatch between ${ta} and ${tb}`);
  const shape = broadcastShapes([cond.shape, ta.shape, tb.shape], `Where(${cond.name}, ${ta.name}, ${tb.name})`);
  return g.addNode("Where", [cond, ta, tb], {}, [{ dtype, shape }])[0];
}

export const whereOp: OpDef = {
  opType: "Where",
  grad: (node, dOut, b, needs) => {
    const [cond, x, y] = inputsOf(node);
    const dz = single(node, dOut);
    return [
      undefined,
      needs[1] ? b.sumToShape(b.where(cond, dz, 0), x) : undefined,
      needs[2] ? b.sumToShape(b.where(cond, 0, dz), y) : undefined,
    ];
  },
};
