import type { Tensor } from "../graph/graph.ts";
import { normAxis } from "../graph/shape.ts";
import { inputsOf, single, type OpDef } from "./op-def.ts";

/** Removes the size-1 axes `axes`. */
export function squeeze(x: Tensor, axes: readonly number[]): Tensor {
  const what = `Squeeze(${x})`;
  const norm = axes.map((a) => normAxis(a, x.rank, what));
  for (const a of norm) if (x.shape[a] !== 1) throw new Error(`${what}: axis ${a} has size ${x.shape[a]}, not 1`);
  const dims = x.shape.filter((_, i) => !norm.includes(i));
  return x.graph.addNode("Squeeze", [x, x.graph.ints(norm)], {}, [{ dtype: x.dtype, shape: dims }])[0];
}

export const squeezeOp: OpDef = {
  opType: "Squeeze",
  grad: (node, dOut, b) => [b.reshape(single(node, dOut), b.shapeOf(inputsOf(node)[0])), undefined],
};
