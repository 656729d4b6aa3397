import { dimPlus } from "../graph/dim-math.ts";
import type { Node, Tensor } from "../graph/graph.ts";
import { normAxis, type Dim } from "../graph/shape.ts";
import { inputsOf, single, type OpDef } from "./op-def.ts";

/** Pass as an end to slice through the end of an axis. */
export const END = Number.MAX_SAFE_INTEGER;
const isToEnd = (e: number): boolean => e >= 2 ** 31 - 1;

function clampIndex(i: number, d: number): number {
  return i < 0 ? Math.max(0, i + d) : Math.min(i, d);
}

function slicedDim(d: Dim, s: number, e: number, step: number, fresh: () => string): Dim {
  if (typeof d === "number") {
    if (step > 0) return Math.max(0, Math.ceil((clampIndex(e, d) - clampIndex(s, d)) / step));
    const st = s < 0 ? Math.max(-1, s + d) : Math.min(s, d - 1);
    const en = e < 0 ? Math.max(-1, e + d) : Math.min(e, d - 1);
    return Math.max(0, Math.ceil((st - en) / -step));
  }
  if (step !== 1) return fresh();
  // Symbolic dims are assumed large enough for the indices to be in range.
  if (s >= 0) return isToEnd(e) ? dimPlus(d, -s) : e < 0 ? dimPlus(d, e - s) : e - s;
  if (isToEnd(e)) return -s;
  return e < 0 ? e - s : fresh();
}

/** Python-style slicing `x[starts:ends:steps]` along `axes` (default: the first starts.length axes). */
export function slice(
  x: Tensor,
  starts: readonly number[],
  ends: readonly number[],
  axes?: readonly number[],
  steps?: readonly number[],
): Tensor {
  const g = x.graph;
  const what = `Slice(${x})`;
  const ax = (axes ?? starts.map((_, i) => i)).map((a) => normAxis(a, x.rank, what));
  const st = steps ?? starts.map(() => 1);
  if (ends.length !== starts.length || ax.length !== starts.length || st.length !== starts.length) {
    throw new Error(`${what}: starts, ends, axes and steps must have the same length`);
  }
  const dims = [...x.shape];
  ax.forEach((a, i) => (dims[a] = slicedDim(x.shape[a], starts[i], ends[i], st[i], () => g.freshDim())));
  const inputs = [x, g.ints(starts), g.ints(ends.map((e) => (isToEnd(e) ? END : e))), g.ints(ax), g.ints(st)];
  return g.addNode("Slice", inputs, {}, [{ dtype: x.dtype, shape: dims }])[0];
}

function sliceParams(node: Node): {
  starts: readonly number[];
  ends: readonly number[];
  axes: readonly number[];
  steps: readonly number[];
} {
  const [, s, e, a, st] = inputsOf(node);
  if (!s.value || !e.value || !a.value || !st.value)
    throw new Error(`Slice node '${node.name}': gradient needs constant starts/ends/axes/steps`);
  return {
    starts: s.value as number[],
    ends: e.value as number[],
    axes: a.value as number[],
    steps: st.value as number[],
  };
}

export const sliceOp: OpDef = {
  opType: "Slice",
  // The gradient pads dy back with zeros; pads must be static (symbolic axes: start ≥ 0, end < 0 or to-end).
  grad: (node, dOut, b) => {
    const [x] = inputsOf(node);
    const { starts, ends, axes, steps } = sliceParams(node);
    const pads = new Array<number>(2 * x.rank).fill(0);
    axes.forEach((a, i) => {
      const fail = (why: string): never => {
        throw new Error(`Slice node '${node.name}' on ${x}: no gradient for axis ${a} (${why})`);
      };
      if (steps[i] !== 1) fail("step ≠ 1");
      const d = x.shape[a];
      if (typeof d === "number") {
        const s = clampIndex(starts[i], d);
        pads[a] = s;
        pads[x.rank + a] = d - Math.max(s, clampIndex(ends[i], d));
      } else {
        if (starts[i] < 0) fail("negative start on a symbolic dim");
        pads[a] = starts[i];
        if (isToEnd(ends[i])) pads[x.rank + a] = 0;
        else if (ends[i] < 0) pads[x.rank + a] = -ends[i];
        else fail("non-negative end on a symbolic dim");
      }
    });
    return [b.pad(single(node, dOut), pads), undefined, undefined, undefined, undefined];
  },
};
