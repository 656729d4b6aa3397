import { attr, intAttr } from "../graph/attrs.ts";
import type { Tensor } from "../graph/graph.ts";
import { normAxis, type Dim } from "../graph/shape.ts";
import type { SplitSizes } from "./builders.ts";
import type { OpDef } from "./op-def.ts";

/** Splits `x` along `axis` into pieces of the given sizes. */
export function split(x: Tensor, sizes: SplitSizes, axis: number): Tensor[] {
  const g = x.graph;
  const a = normAxis(axis, x.rank, `Split(${x})`);
  const isStatic = Array.isArray(sizes);
  const dims: readonly Dim[] = isStatic ? (sizes as readonly number[]) : (sizes as { dims: readonly Dim[] }).dims;
  const sizeTensor = isStatic ? g.ints(sizes as readonly number[]) : (sizes as { tensor: Tensor }).tensor;
  const d = x.shape[a];
  if (isStatic && typeof d === "number" && (sizes as number[]).reduce((s, v) => s + v, 0) !== d) {
    throw new Error(`Split(${x}): sizes [${dims.join(", ")}] do not add up to ${d}`);
  }
  const outs = dims.map((s) => ({ dtype: x.dtype, shape: x.shape.map((v, i) => (i === a ? s : v)) }));
  return g.addNode("Split", [x, sizeTensor], { axis: attr.int(a) }, outs);
}

export const splitOp: OpDef = {
  opType: "Split",
  grad: (node, dOut, b) => {
    const axis = intAttr(node.attrs, "axis");
    const parts = node.outputs.map((y, i) => dOut[i] ?? b.zerosLike(y));
    return [b.concat(parts, axis), undefined];
  },
};
