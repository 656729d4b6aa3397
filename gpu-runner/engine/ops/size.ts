import type { Tensor } from "../graph/graph.ts";
import type { OpDef } from "./op-def.ts";

/** Number of elements of `x` as an int64 scalar. */
export function size(x: Tensor): Tensor {
  return x.graph.addNode("Size", [x], {}, [{ dtype: "int64", shape: [] }])[0];
}

export const sizeOp: OpDef = { opType: "Size" };
