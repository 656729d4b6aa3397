import { attr } from "../graph/attrs.ts";
import type { Tensor } from "../graph/graph.ts";
import type { Reduction } from "./builders.ts";
import type { OpDef } from "./op-def.ts";

/** Writes (or, with reduction "add", accumulates) `updates` into a copy of `data` at index tuples `indices`. */
export function scatterND(data: Tensor, indices: Tensor, updates: Tensor, reduction: Reduction = "none"): Tensor {
  if (indices.dtype !== "int64") throw new Error(`ScatterND(${data}): indices ${indices} must be int64`);
  return data.graph.addNode("ScatterND", [data, indices, updates], { reduction: attr.string(reduction) }, [
    { dtype: data.dtype, shape: data.shape },
  ])[0];
}

export const scatterNDOp: OpDef = { opType: "ScatterND" };
