import { attr, intAttr } from "../graph/attrs.ts";
import { isStaticShape, normAxis } from "../graph/shape.ts";
import type { Tensor } from "../graph/graph.ts";
import { inputsOf, single, type OpDef } from "./op-def.ts";

/** Takes slices of `data` along `axis` at `indices` (embedding lookup for axis 0). */
export function gather(data: Tensor, indices: Tensor, axis = 0): Tensor {
  const what = `Gather(${data}, ${indices})`;
  if (indices.dtype !== "int64" && indices.dtype !== "int32")
    throw new Error(`${what}: indices must be int64 or int32`);
  const a = normAxis(axis, data.rank, what);
  const dims = [...data.shape.slice(0, a), ...indices.shape, ...data.shape.slice(a + 1)];
  const [t] = data.graph.addNode("Gather", [data, indices], { axis: attr.int(a) }, [
    { dtype: data.dtype, shape: dims },
  ]);
  if (data.rank === 1 && data.value && indices.value) {
    const v = data.value;
    t.value = indices.value.map((i) => v[typeof i === "number" && i < 0 ? i + v.length : (i as number)]);
  }
  return t;
}

export const gatherOp: OpDef = {
  opType: "Gather",
  // Scatter-add of dy into zeros shaped like data (exact; ORT's CPU ScatterND runs sequentially).
  // Indices must be non-negative.
  grad: (node, dOut, b) => {
    const [data, indices] = inputsOf(node);
    const dy = single(node, dOut);
    const a = intAttr(node.attrs, "axis");
    const idx = b.unsqueeze(indices.dtype === "int64" ? indices : b.cast(indices, "int64"), [-1]); // [...idx, 1]
    if (a === 0) return [b.scatterND(b.zerosLike(data), idx, dy, "add"), undefined];
    // Move the gathered axis to the front, scatter there, and move it back.
    const r = data.rank;
    const q = indices.rank;
    const pd = [
      a,
      ...Array.from({ length: a }, (_, i) => i),
      ...Array.from({ length: r - a - 1 }, (_, i) => a + 1 + i),
    ];
    const shapeT = isStaticShape(data.shape)
      ? data.graph.ints(pd.map((i) => data.shape[i] as number))
      : b.gather(b.shape(data), data.graph.ints(pd));
    const perm = [
      ...Array.from({ length: q }, (_, i) => a + i),
      ...Array.from({ length: a }, (_, i) => i),
      ...Array.from({ length: dy.rank - a - q }, (_, i) => a + q + i),
    ];
    const gT = b.scatterND(b.constantOfShape(shapeT, 0, data.dtype), idx, b.transpose(dy, perm), "add");
    const inv = new Array<number>(r);
    pd.forEach((p, i) => (inv[p] = i));
    return [b.transpose(gT, inv), undefined];
  },
};
