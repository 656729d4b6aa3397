/**
 * Rewrites the few ops onnxruntime's WebGPU EP has no kernel for into equivalent ops it has, so that no
 * compute falls back to the CPU (and no [N, V]-sized tensor crosses the bus for it). Applied when a graph is
 * serialised for the WebGPU EP only; the CPU EP keeps the fused originals. Measured with `guardtune doctor`.
 *
 * - LogSoftmax(x, axis)          → s = x − ReduceMax(x); s − ReduceLogSumExp(s)  (shifting first keeps
 *                                  LogSoftmax's precision: x − LSE(x) would lose the ulp of |max| in float32)
 * - ConstantOfShape(shape) float → Expand(scalar value, shape)
 *
 * The graph's tensors keep their names: downstream nodes (gradients included) are untouched.
 */
import { attr } from "../graph/attrs.ts";
import { Tensor, type Graph, type Node } from "../graph/graph.ts";
import type { HostTensor } from "../graph/host-tensor.ts";
import { i64 } from "../graph/host-tensor.ts";

type Rewrite = (n: Node, g: Graph) => Node[] | undefined;

function node(base: Node, suffix: string, opType: string, inputs: Tensor[], outputs: Tensor[], attrs = {}): Node {
  return {
    id: base.id,
    opType,
    domain: "",
    name: `${base.name}/webgpu/${suffix}`,
    inputs,
    outputs,
    attrs,
    stopGradient: base.stopGradient,
  };
}

function constant(base: Node, suffix: string, g: Graph, data: HostTensor): Node {
  const t = new Tensor(g, -1, `${base.name}/webgpu/${suffix}`, data.dtype, data.dims, "node", undefined);
  return node(base, suffix, "Constant", [], [t], { value: attr.tensor(data) });
}

const REWRITES: Readonly<Record<string, Rewrite>> = {
  LogSoftmax: (n, g) => {
    const x = n.inputs[0]!;
    const y = n.outputs[0];
    const axisAttr = n.attrs.axis;
    const axis = axisAttr?.kind === "int" ? axisAttr.value : -1;
    const axes = constant(n, "axes", g, i64([1], [axis]));
    const reducedShape = x.shape.map((d, i) => (i === (axis + x.rank) % x.rank ? 1 : d));
    const tensor = (suffix: string, shape = x.shape) =>
      new Tensor(g, -1, `${n.name}/webgpu/${suffix}`, x.dtype, shape, "node", undefined);
    const max = tensor("max", reducedShape);
    const shifted = tensor("shifted");
    const lse = tensor("lse", reducedShape);
    const keep = { keepdims: attr.int(1) };
    return [
      axes,
      node(n, "max", "ReduceMax", [x, axes.outputs[0]], [max], keep),
      node(n, "shift", "Sub", [x, max], [shifted]),
      node(n, "lse", "ReduceLogSumExp", [shifted, axes.outputs[0]], [lse], keep),
      node(n, "sub", "Sub", [shifted, lse], [y]),
    ];
  },
  ConstantOfShape: (n, g) => {
    const value = n.attrs.value;
    if (value?.kind !== "tensor" || (value.value.dtype !== "float32" && value.value.dtype !== "float16"))
      return undefined;
    const scalar = constant(n, "value", g, { dtype: value.value.dtype, dims: [], data: value.value.data });
    return [scalar, node(n, "expand", "Expand", [scalar.outputs[0], n.inputs[0]!], [n.outputs[0]])];
  },
};

/** The node list of `g` with the WebGPU rewrites applied (the graph itself is not changed). */
export function lowerForWebGpu(g: Graph): Node[] {
  const out: Node[] = [];
  for (const n of g.nodes) {
    const rewrite = n.domain === "" ? REWRITES[n.opType] : undefined;
    out.push(...((rewrite && rewrite(n, g)) ?? [n]));
  }
  return out;
}
