import type { Tensor } from "../graph/graph.ts";
import { single, type OpDef } from "./op-def.ts";

export function identity(x: Tensor): Tensor {
  return x.graph.addNode("Identity", [x], {}, [{ dtype: x.dtype, shape: x.shape }])[0];
}

/** The same value, but autodiff treats it as a constant (no gradient flows through). */
export function stopGradient(x: Tensor): Tensor {
  return x.graph.addNode("Identity", [x], {}, [{ dtype: x.dtype, shape: x.shape }], { stopGradient: true })[0];
}

export const identityOp: OpDef = {
  opType: "Identity",
  grad: (node, dOut) => [single(node, dOut)],
};
