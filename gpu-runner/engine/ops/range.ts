import type { DType } from "../graph/dtype.ts";
import { graphOf, toTensor, type Operand, type Tensor } from "../graph/graph.ts";
import type { Dim } from "../graph/shape.ts";
import type { OpDef } from "./op-def.ts";

/**
 * [start, start+delta, …) below `limit`. `length` names the output dim when the bounds are runtime
 * scalars (e.g. "T" for positions 0..T−1); with numeric bounds it is computed.
 */
export function range(start: Operand, limit: Operand, delta: Operand, dtype: DType = "int64", length?: Dim): Tensor {
  const g = graphOf([start, limit, delta], "Range");
  const n =
    typeof start === "number" && typeof limit === "number" && typeof delta === "number"
      ? Math.max(0, Math.ceil((limit - start) / delta))
      : (length ?? g.freshDim("range"));
  const inputs = [toTensor(g, start, dtype), toTensor(g, limit, dtype), toTensor(g, delta, dtype)];
  return g.addNode("Range", inputs, {}, [{ dtype, shape: [n] }])[0];
}

export const rangeOp: OpDef = { opType: "Range" };
