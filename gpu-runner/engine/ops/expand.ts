import { Tensor } from "../graph/graph.ts";
import { broadcastShapes } from "../graph/shape.ts";
import { inputsOf, single, type OpDef } from "./op-def.ts";

/** Broadcasts `x` to `shape` (static numbers, or a runtime int64 vector such as `shapeOf(y)`). */
export function expand(x: Tensor, shape: readonly number[] | Tensor): Tensor {
  const g = x.graph;
  const target = shape instanceof Tensor ? shape : g.ints(shape);
  const len = target.shape[0];
  if (typeof len !== "number") throw new Error(`Expand(${x}): the shape tensor needs a static length`);
  const dims = target.value ?? Array.from({ length: len }, () => g.freshDim());
  const out = broadcastShapes([x.shape, dims], `Expand(${x})`);
  return g.addNode("Expand", [x, target], {}, [{ dtype: x.dtype, shape: out }])[0];
}

export const expandOp: OpDef = {
  opType: "Expand",
  grad: (node, dOut, b) => [b.sumToShape(single(node, dOut), inputsOf(node)[0]), undefined],
};
