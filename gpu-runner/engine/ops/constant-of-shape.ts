import { attr } from "../graph/attrs.ts";
import type { DType } from "../graph/dtype.ts";
import type { Tensor } from "../graph/graph.ts";
import { filled } from "../graph/host-tensor.ts";
import type { OpDef } from "./op-def.ts";
import { shapeOf } from "./shape.ts";

/** A tensor of the runtime shape `shape` (int64 vector) filled with `value`. */
export function constantOfShape(shape: Tensor, value: number, dtype: DType): Tensor {
  const g = shape.graph;
  const rank = shape.shape[0];
  if (typeof rank !== "number") throw new Error(`ConstantOfShape: the shape tensor ${shape} needs a static length`);
  const dims = shape.value ?? Array.from({ length: rank }, () => g.freshDim());
  return g.addNode("ConstantOfShape", [shape], { value: attr.tensor(filled(dtype, [1], value)) }, [
    { dtype, shape: dims },
  ])[0];
}

export function zerosLike(x: Tensor): Tensor {
  return constantOfShape(shapeOf(x), 0, x.dtype);
}

export const constantOfShapeOp: OpDef = { opType: "ConstantOfShape" };
