import type { Tensor } from "../graph/graph.ts";
import { firstOnly, single, type OpDef } from "./op-def.ts";
import { emitReduce, expandBack } from "./reduce.ts";

/** Sum over `axes` (all when omitted). */
export function reduceSum(x: Tensor, axes?: readonly number[], keepdims = false): Tensor {
  return emitReduce("ReduceSum", x, axes, keepdims);
}

export const reduceSumOp: OpDef = {
  opType: "ReduceSum",
  grad: (node, dOut, b) => firstOnly(node, expandBack(node, single(node, dOut), b)),
};
