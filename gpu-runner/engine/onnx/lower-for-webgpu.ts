/**
 * Rewrites the few ops onnxruntime's WebGPU EP has no kernel for into equivalent ops it has, so that no
 * compute falls back to the CPU (and no [N, V]-sized tensor crosses the bus for it). Applied when a graph is
 * serialised for the WebGPU EP only; the CPU EP keeps the fused originals. Measured with `guardtune doctor`.
 *
 * - LogSoftmax(x, axis)          → s = x − ReduceMax(x); s − ReduceLogSumExp(s)  (shifting first keeps
 *                                  LogSoftmax's precision: x − LSE(x) would lose the ulp of |max| in float32)
 * - ConstantOfShape(shape) float → Expand(scalar value, shape)
 * - SoftmaxCrossEntropyLoss(scores [N, C], labels [N]), reduction "none"
 *                                → log-probabilities as LogSoftmax above; loss = −GatherElements(logp, label)
 *                                  with ignored rows' label replaced by 0 for the gather and their loss by 0
 *                                  (ORT expands the fused op itself into a LogSoftmax that runs on the CPU)
 * - Cast(int64 → float)          → Cast(→ int32), Cast(int32 → float): the EP casts no int64 (without graph
 *                                  capture), so the first half stays with the CPU's index arithmetic and the
 *                                  float result is made on the GPU. Exact for |x| < 2^31 (positions, masks).
 *
 * The graph's tensors keep their names: downstream nodes (gradients included) are untouched.
 */
import { attr } from "../graph/attrs.ts";
import { Tensor, type Graph, type Node } from "../graph/graph.ts";
import type { HostTensor } from "../graph/host-tensor.ts";
import { i64 } from "../graph/host-tensor.ts";
import { ONNX_DTYPE_CODE, type DType } from "../graph/dtype.ts";

type Rewrite = (n: Node, g: Graph) => Node[] | undefined;

export function node(
  base: Node,
  suffix: string,
  opType: string,
  inputs: Tensor[],
  outputs: Tensor[],
  attrs = {},
): Node {
  return {
    id: base.id,
    opType,
    domain: "",
    name: `${base.name}/lowered/${suffix}`,
    inputs,
    outputs,
    attrs,
    stopGradient: base.stopGradient,
  };
}

function constant(base: Node, suffix: string, g: Graph, data: HostTensor): Node {
  const t = new Tensor(g, -1, `${base.name}/lowered/${suffix}`, data.dtype, data.dims, "node", undefined);
  return node(base, suffix, "Constant", [], [t], { value: attr.tensor(data) });
}

/** Max-shifted log-softmax of `x` along `axis` into `y`: s = x − max(x); y = s − ReduceLogSumExp(s). */
function logSoftmaxNodes(n: Node, g: Graph, x: Tensor, y: Tensor, axis: number): Node[] {
  const axes = constant(n, "axes", g, i64([1], [axis]));
  const reducedShape = x.shape.map((d, i) => (i === (axis + x.rank) % x.rank ? 1 : d));
  const max = tensor(n, g, "max", x.dtype, reducedShape);
  const shifted = tensor(n, g, "shifted", x.dtype, x.shape);
  const lse = tensor(n, g, "lse", x.dtype, reducedShape);
  const keep = { keepdims: attr.int(1) };
  return [
    axes,
    node(n, "max", "ReduceMax", [x, axes.outputs[0]], [max], keep),
    node(n, "shift", "Sub", [x, max], [shifted]),
    node(n, "lse", "ReduceLogSumExp", [shifted, axes.outputs[0]], [lse], keep),
    node(n, "sub", "Sub", [shifted, lse], [y]),
  ];
}

export function tensor(base: Node, g: Graph, suffix: string, dtype: DType, shape: Tensor["shape"]): Tensor {
  return new Tensor(g, -1, `${base.name}/lowered/${suffix}`, dtype, shape, "node", undefined);
}

const FLOAT_CODES = new Set([ONNX_DTYPE_CODE.float32, ONNX_DTYPE_CODE.float16]);

const REWRITES: Readonly<Record<string, Rewrite>> = {
  LogSoftmax: (n, g) => {
    const axisAttr = n.attrs.axis;
    return logSoftmaxNodes(n, g, n.inputs[0]!, n.outputs[0], axisAttr?.kind === "int" ? axisAttr.value : -1);
  },
  SoftmaxCrossEntropyLoss: (n, g) => softmaxCrossEntropyNodes(n, g, logSoftmaxNodes),
  Cast: (n, g) => {
    const to = n.attrs.to;
    const x = n.inputs[0]!;
    if (x.dtype !== "int64" || to?.kind !== "int" || !FLOAT_CODES.has(to.value)) return undefined;
    const narrow = tensor(n, g, "int32", "int32", x.shape);
    return [
      node(n, "int32", "Cast", [x], [narrow], { to: attr.int(ONNX_DTYPE_CODE.int32) }),
      node(n, "float", "Cast", [narrow], [n.outputs[0]], { to }),
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

/** Emits log-softmax of `x` along `axis` into `y`. */
export type LogSoftmaxEmitter = (n: Node, g: Graph, x: Tensor, y: Tensor, axis: number) => Node[];

/**
 * SoftmaxCrossEntropyLoss(scores [N, C], labels [N]), reduction "none", as log-probabilities over the class
 * axis of the 2-D scores (by `logSoftmax`) and loss = −GatherElements(logp, label), with ignored rows' label
 * replaced by 0 for the gather and their loss by 0. `undefined` for forms it does not cover.
 */
export function softmaxCrossEntropyNodes(n: Node, g: Graph, logSoftmax: LogSoftmaxEmitter): Node[] | undefined {
  const reduction = n.attrs.reduction;
  if (n.inputs.length !== 2 || (reduction?.kind === "string" && reduction.value !== "none")) return undefined;
  const [scores, labels] = n.inputs as [Tensor, Tensor]; // [N, C], [N] int64
  const [loss, logProbOut] = n.outputs; // [N], [N, C]
  const ignore = n.attrs.ignore_index?.kind === "int" ? n.attrs.ignore_index.value : undefined;
  const logProb = logProbOut ?? tensor(n, g, "logp", scores.dtype, scores.shape);
  const axes = constant(n, "class_axis", g, i64([1], [1]));
  const out = [...logSoftmax(n, g, scores, logProb, 1), axes];
  if (ignore === undefined) return [...out, ...gatherNegated(n, g, logProb, labels, axes, loss)];
  // Ignored rows gather class 0 (any valid index) and get loss 0, as the fused op defines.
  const rows = labels.shape;
  const ignoreValue = constant(n, "ignore_index", g, i64([], [ignore]));
  const zeroIndex = constant(n, "zero_index", g, i64([], [0]));
  const zero = constant(n, "zero", g, { dtype: scores.dtype, dims: [], data: zeroOf(scores.dtype) });
  const ignored = tensor(n, g, "ignored", "bool", rows);
  const safe = tensor(n, g, "safe_label", "int64", rows);
  const negated = tensor(n, g, "nll", scores.dtype, rows);
  return [
    ...out,
    ignoreValue,
    zeroIndex,
    zero,
    node(n, "ignored", "Equal", [labels, ignoreValue.outputs[0]], [ignored]),
    node(n, "safe_label", "Where", [ignored, zeroIndex.outputs[0], labels], [safe]),
    ...gatherNegated(n, g, logProb, safe, axes, negated),
    node(n, "loss", "Where", [ignored, zero.outputs[0], negated], [loss]),
  ];
}

/** −logp[n, label_n] into `y` [N]: GatherElements over the class axis, squeezed and negated. */
function gatherNegated(n: Node, g: Graph, logProb: Tensor, labels: Tensor, axes: Node, y: Tensor): Node[] {
  const rows = labels.shape[0];
  const label = tensor(n, g, "label", "int64", [rows, 1]);
  const picked = tensor(n, g, "picked", logProb.dtype, [rows, 1]);
  const flat = tensor(n, g, "picked_flat", logProb.dtype, [rows]);
  return [
    node(n, "label", "Unsqueeze", [labels, axes.outputs[0]], [label]),
    node(n, "pick", "GatherElements", [logProb, label], [picked], { axis: attr.int(1) }),
    node(n, "squeeze", "Squeeze", [picked, axes.outputs[0]], [flat]),
    node(n, "neg", "Neg", [flat], [y]),
  ];
}

function zeroOf(dtype: DType): Float32Array | Float64Array | Uint16Array {
  if (dtype === "float64") return new Float64Array(1);
  return dtype === "float16" ? new Uint16Array(1) : new Float32Array(1);
}

/** The node list of `g` with the WebGPU rewrites applied (the graph itself is not changed). */
export function lowerForWebGpu(g: Graph): Node[] {
  const out: Node[] = [];
  for (const n of g.nodes) {
    const rewrite = n.domain === "" ? REWRITES[n.opType] : undefined;
    out.push(...((rewrite && rewrite(n, g)) ?? [n]));
  }
  return out;
}
