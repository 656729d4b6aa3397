import { dimPlus } from "../graph/dim-math.ts";
import type { Tensor } from "../graph/graph.ts";
import { inputsOf, single, type OpDef } from "./op-def.ts";
import { END } from "./slice.ts";

/** Constant padding; `pads` = [begin_0 … begin_{r−1}, end_0 … end_{r−1}] as in ONNX. */
export function pad(x: Tensor, pads: readonly number[], value = 0): Tensor {
  const g = x.graph;
  if (pads.length !== 2 * x.rank) throw new Error(`Pad(${x}): pads needs ${2 * x.rank} entries, got ${pads.length}`);
  const dims = x.shape.map((d, i) => dimPlus(d, pads[i] + pads[x.rank + i]));
  return g.addNode("Pad", [x, g.ints(pads), g.scalar(value, x.dtype)], {}, [{ dtype: x.dtype, shape: dims }])[0];
}

export const padOp: OpDef = {
  opType: "Pad",
  grad: (node, dOut, b) => {
    const [x, p] = inputsOf(node);
    const pads = p.value as number[] | undefined;
    if (!pads || pads.some((v) => v < 0))
      throw new Error(`Pad node '${node.name}' on ${x}: gradient needs constant, non-negative pads`);
    const r = x.rank;
    const axes = x.shape.map((_, i) => i);
    const starts = axes.map((i) => pads[i]);
    const ends = axes.map((i) => (pads[r + i] > 0 ? -pads[r + i] : END));
    return [b.slice(single(node, dOut), starts, ends, axes), undefined, undefined];
  },
};
