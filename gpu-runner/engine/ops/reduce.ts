import { attr, intAttr } from "../graph/attrs.ts";
import type { Node, Tensor } from "../graph/graph.ts";
import { normAxis } from "../graph/shape.ts";
import type { Builders } from "./builders.ts";
import { inputsOf } from "./op-def.ts";

/** Emits ReduceSum/Mean/Max (opset 18: axes as an input); no axes = all axes. */
export function emitReduce(opType: string, x: Tensor, axes: readonly number[] | undefined, keepdims: boolean): Tensor {
  const g = x.graph;
  const all = axes === undefined || axes.length === 0;
  const norm = all
    ? x.shape.map((_, i) => i)
    : [...new Set(axes.map((a) => normAxis(a, x.rank, `${opType}(${x})`)))].sort((p, q) => p - q);
  const dims = keepdims
    ? x.shape.map((d, i) => (norm.includes(i) ? 1 : d))
    : x.shape.filter((_, i) => !norm.includes(i));
  const inputs = all ? [x] : [x, g.ints(norm)];
  return g.addNode(opType, inputs, { keepdims: attr.int(keepdims ? 1 : 0) }, [{ dtype: x.dtype, shape: dims }])[0];
}

export function reducedAxes(node: Node): number[] {
  const [x, axes] = node.inputs;
  if (axes === undefined) return x!.shape.map((_, i) => i);
  if (!axes.value) throw new Error(`${node.opType} node '${node.name}': gradient needs constant axes`);
  return axes.value as number[];
}

/** Broadcasts a reduction's output gradient back over the reduced axes (shape of the input). */
export function expandBack(node: Node, dy: Tensor, b: Builders): Tensor {
  const [x] = inputsOf(node);
  const keep = intAttr(node.attrs, "keepdims", 1) === 1;
  const dk = keep ? dy : b.unsqueeze(dy, reducedAxes(node));
  return b.expand(dk, b.shapeOf(x));
}
