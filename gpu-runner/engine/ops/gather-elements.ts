import { attr, intAttr } from "../graph/attrs.ts";
import { normAxis } from "../graph/shape.ts";
import type { Tensor } from "../graph/graph.ts";
import { inputsOf, single, type OpDef } from "./op-def.ts";

/** out[i][j] = data[indices[i][j]][j] along `axis` (torch.gather). */
export function gatherElements(data: Tensor, indices: Tensor, axis: number): Tensor {
  const what = `GatherElements(${data}, ${indices})`;
  if (indices.rank !== data.rank) throw new Error(`${what}: indices must have the rank of data`);
  const a = normAxis(axis, data.rank, what);
  return data.graph.addNode("GatherElements", [data, indices], { axis: attr.int(a) }, [
    { dtype: data.dtype, shape: indices.shape },
  ])[0];
}

export const gatherElementsOp: OpDef = {
  opType: "GatherElements",
  grad: (node, dOut, b) => {
    const [data, indices] = inputsOf(node);
    const axis = intAttr(node.attrs, "axis");
    return [b.scatterElements(b.zerosLike(data), indices, single(node, dOut), axis, "add"), undefined];
  },
};
