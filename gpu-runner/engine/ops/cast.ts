import { attr } from "../graph/attrs.ts";
import { ONNX_DTYPE_CODE, isFloatDType, type DType } from "../graph/dtype.ts";
import type { Tensor } from "../graph/graph.ts";
import { inputsOf, single, type OpDef } from "./op-def.ts";

/** Converts `x` to dtype `to`. */
export function cast(x: Tensor, to: DType): Tensor {
  const [t] = x.graph.addNode("Cast", [x], { to: attr.int(ONNX_DTYPE_CODE[to]) }, [{ dtype: to, shape: x.shape }]);
  if (to === "int64" && x.value) t.value = x.value;
  return t;
}

export const castOp: OpDef = {
  opType: "Cast",
  // Float-to-float casts pass the gradient back in the source precision; casts from ints carry none.
  grad: (node, dOut, b) => {
    const [x] = inputsOf(node);
    return [
      isFloatDType(x.dtype) && isFloatDType(node.outputs[0].dtype) ? b.cast(single(node, dOut), x.dtype) : undefined,
    ];
  },
};
