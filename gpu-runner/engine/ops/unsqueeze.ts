import type { Tensor } from "../graph/graph.ts";
import { normAxis, type Dim } from "../graph/shape.ts";
import { inputsOf, single, type OpDef } from "./op-def.ts";

/** Inserts size-1 axes at `axes` (positions in the output). */
export function unsqueeze(x: Tensor, axes: readonly number[]): Tensor {
  const rank = x.rank + axes.length;
  const norm = axes.map((a) => normAxis(a, rank, `Unsqueeze(${x})`));
  const dims: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) dims.push(norm.includes(i) ? 1 : x.shape[k++]);
  const [t] = x.graph.addNode("Unsqueeze", [x, x.graph.ints(norm)], {}, [{ dtype: x.dtype, shape: dims }]);
  if (x.rank === 0 && x.dtype === "int64" && x.value) t.value = x.value;
  return t;
}

export const unsqueezeOp: OpDef = {
  opType: "Unsqueeze",
  grad: (node, dOut, b) => [b.reshape(single(node, dOut), b.shapeOf(inputsOf(node)[0])), undefined],
};
