import { attr } from "../graph/attrs.ts";
import type { Tensor } from "../graph/graph.ts";
import { MS_DOMAIN } from "../onnx/encode-model.ts";
import { inputsOf, single, type OpDef } from "./op-def.ts";

/**
 * onnxruntime's contrib RotaryEmbedding (com.microsoft, float32 on the CPU and WebGPU EPs) in HF's rotate_half
 * layout: for x [B, N, T, D] and each pair (i, i + D/2), y_i = x_i·cos − x_{i+D/2}·sin and
 * y_{i+D/2} = x_{i+D/2}·cos + x_i·sin, with cos/sin [P, D/2] rows picked by position. `positions` is either
 * int64 [B, T] (the row of each token) or int64 [1] holding p₀ (token t uses row p₀ + t); every row used
 * must exist in the tables. One kernel instead of rotate_half's slices, negation, concat, two products and a sum.
 */
export function rotaryEmbedding(x: Tensor, positions: Tensor, cos: Tensor, sin: Tensor): Tensor {
  const what = `RotaryEmbedding(${x})`;
  if (x.rank !== 4 || typeof x.shape[3] !== "number" || x.shape[3] % 2 !== 0)
    throw new Error(`${what}: x must be [B, N, T, D] with a static, even head dim D`);
  if (x.dtype !== "float32") throw new Error(`${what}: x must be float32 (the contrib kernel's type)`);
  if (positions.dtype !== "int64") throw new Error(`${what}: positions must be int64`);
  if (cos.rank !== 2 || sin.rank !== 2 || cos.shape[1] !== x.shape[3] / 2 || sin.shape[1] !== x.shape[3] / 2)
    throw new Error(`${what}: cos and sin must be [P, D/2] = [P, ${x.shape[3] / 2}]`);
  const [y] = x.graph.addNode(
    "RotaryEmbedding",
    [x, positions, cos, sin],
    { interleaved: attr.int(0) },
    [{ dtype: x.dtype, shape: x.shape }],
    { domain: MS_DOMAIN },
  );
  return y;
}

export const rotaryEmbeddingOp: OpDef = {
  opType: "RotaryEmbedding",
  domain: MS_DOMAIN,
  // The rotation is orthogonal: its transpose is the rotation by −θ, i.e. the same op with sin negated.
  grad: (node, dOut, b) => {
    const [, positions, cos, sin] = inputsOf(node);
    return [rotaryEmbedding(single(node, dOut), positions, cos, b.neg(sin)), undefined, undefined, undefined];
  },
};
