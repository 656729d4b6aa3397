import { attr } from "../graph/attrs.ts";
import { normAxis } from "../graph/shape.ts";
import type { Tensor } from "../graph/graph.ts";
import type { Reduction } from "./builders.ts";
import type { OpDef } from "./op-def.ts";

/** Inverse of GatherElements: writes (or adds) `updates` into a copy of `data` along `axis`. */
export function scatterElements(
  data: Tensor,
  indices: Tensor,
  updates: Tensor,
  axis: number,
  reduction: Reduction = "none",
): Tensor {
  const a = normAxis(axis, data.rank, `ScatterElements(${data})`);
  const attrs = { axis: attr.int(a), reduction: attr.string(reduction) };
  return data.graph.addNode("ScatterElements", [data, indices, updates], attrs, [
    { dtype: data.dtype, shape: data.shape },
  ])[0];
}

export const scatterElementsOp: OpDef = { opType: "ScatterElements" };
