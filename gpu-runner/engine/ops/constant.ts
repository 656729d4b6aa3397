import type { Graph, Tensor } from "../graph/graph.ts";
import type { HostTensor } from "../graph/host-tensor.ts";
import type { OpDef } from "./op-def.ts";

/** A Constant node holding `data` (small values; large weights belong in initializers). */
export function constant(g: Graph, data: HostTensor): Tensor {
  return g.constant(data);
}

export const constantOp: OpDef = { opType: "Constant", grad: () => [] };
