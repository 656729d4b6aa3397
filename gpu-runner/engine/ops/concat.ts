import { attr, intAttr } from "../graph/attrs.ts";
import { dimSum } from "../graph/dim-math.ts";
import type { Tensor } from "../graph/graph.ts";
import { dimsConflict, normAxis, type Dim } from "../graph/shape.ts";
import type { SplitSizes } from "./builders.ts";
import { inputsOf, single, type OpDef } from "./op-def.ts";

/** Joins tensors along `axis`. */
export function concat(xs: readonly Tensor[], axis: number): Tensor {
  if (xs.length === 0) throw new Error("Concat: no inputs");
  const first = xs[0];
  const what = `Concat(${xs.map((x) => x.name).join(", ")})`;
  const a = normAxis(axis, first.rank, what);
  for (const x of xs) {
    if (x.rank !== first.rank || x.dtype !== first.dtype) throw new Error(`${what}: ${x} does not match ${first}`);
    x.shape.forEach((d, i) => {
      if (i !== a && dimsConflict(d, first.shape[i]))
        throw new Error(`${what}: ${x} does not match ${first} on axis ${i}`);
    });
  }
  const dims: Dim[] = [...first.shape];
  dims[a] = dimSum(xs.map((x) => x.shape[a]));
  const [t] = first.graph.addNode("Concat", xs, { axis: attr.int(a) }, [{ dtype: first.dtype, shape: dims }]);
  if (first.rank === 1 && xs.every((x) => x.value !== undefined)) t.value = xs.flatMap((x) => x.value!);
  return t;
}

export const concatOp: OpDef = {
  opType: "Concat",
  grad: (node, dOut, b) => {
    const xs = inputsOf(node);
    const axis = intAttr(node.attrs, "axis");
    const dims = xs.map((x) => x.shape[axis]);
    let sizes: SplitSizes;
    if (dims.every((d): d is number => typeof d === "number")) sizes = dims;
    else {
      // Symbolic sizes: read each input's extent along the axis at run time.
      const g = node.outputs[0].graph;
      sizes = {
        tensor: b.concat(
          xs.map((x) => b.gather(b.shape(x), g.ints([axis]))),
          0,
        ),
        dims,
      };
    }
    return b.split(single(node, dOut), sizes, axis);
  },
};
