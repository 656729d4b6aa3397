import { isStaticShape } from "../graph/shape.ts";
import type { Tensor } from "../graph/graph.ts";
import type { OpDef } from "./op-def.ts";

/** The runtime shape of `x` as an int64 vector (its dims stay known symbolically for inference). */
export function shape(x: Tensor): Tensor {
  const [t] = x.graph.addNode("Shape", [x], {}, [{ dtype: "int64", shape: [x.rank] }]);
  t.value = [...x.shape];
  return t;
}

/** Shape of `x` as a constant when fully static (ORT folds it anyway), else a Shape node. */
export function shapeOf(x: Tensor): Tensor {
  return isStaticShape(x.shape) ? x.graph.ints(x.shape) : shape(x);
}

/** Size of axis `axis` of `x` as an int64 scalar. */
export function dimOf(x: Tensor, axis: number): Tensor {
  const g = x.graph;
  const a = axis < 0 ? axis + x.rank : axis;
  const [t] = g.addNode("Gather", [shape(x), g.scalar(a, "int64")], {}, [{ dtype: "int64", shape: [] }]);
  return t;
}

export const shapeOp: OpDef = { opType: "Shape" };
