import { attr, intsAttr } from "../graph/attrs.ts";
import type { Tensor } from "../graph/graph.ts";
import { single, type OpDef } from "./op-def.ts";

/** Permutes axes (default: reverses them). */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const p = perm ?? x.shape.map((_, i) => x.rank - 1 - i);
  const sorted = [...p].sort((a, b) => a - b);
  if (p.length !== x.rank || sorted.some((v, i) => v !== i))
    throw new Error(`Transpose(${x}): invalid perm [${p.join(", ")}]`);
  return x.graph.addNode("Transpose", [x], { perm: attr.ints(p) }, [
    { dtype: x.dtype, shape: p.map((i) => x.shape[i]) },
  ])[0];
}

/** Swaps the last two axes (matrix transpose of a batch). */
export function transposeLast2(x: Tensor): Tensor {
  const perm = x.shape.map((_, i) => i);
  perm[x.rank - 1] = x.rank - 2;
  perm[x.rank - 2] = x.rank - 1;
  return transpose(x, perm);
}

export const transposeOp: OpDef = {
  opType: "Transpose",
  grad: (node, dOut, b) => {
    const perm = intsAttr(node.attrs, "perm")!;
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return [b.transpose(single(node, dOut), inv)];
  },
};
