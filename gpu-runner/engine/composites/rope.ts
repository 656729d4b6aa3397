import type { Tensor } from "../graph/graph.ts";
import { f32 } from "../graph/host-tensor.ts";
import { add } from "../ops/add.ts";
import { cast } from "../ops/cast.ts";
import { concat } from "../ops/concat.ts";
import { cos as cosOp } from "../ops/cos.ts";
import { mul } from "../ops/mul.ts";
import { neg } from "../ops/neg.ts";
import { range } from "../ops/range.ts";
import { sin as sinOp } from "../ops/sin.ts";
import { slice } from "../ops/slice.ts";
import { END } from "../ops/slice.ts";
import { unsqueeze } from "../ops/unsqueeze.ts";

/** HF's default inverse frequencies 1 / θ^(2i/d), rounded to float32 step by step as torch computes them. */
export function ropeInvFreq(headDim: number, theta: number): Float32Array {
  const out = new Float32Array(headDim / 2);
  for (let i = 0; i < out.length; i++) {
    const e = Math.fround(Math.fround(2 * i) / headDim);
    out[i] = Math.fround(1 / Math.fround(Math.pow(theta, e)));
  }
  return out;
}

/** cos and sin tables [B, T, D] from int64 position ids [B, T] (freqs repeated twice, as HF). */
export function ropeCosSin(
  positionIds: Tensor,
  invFreq: Float32Array,
  dtype: "float32" | "float64" = "float32",
): { cos: Tensor; sin: Tensor } {
  const g = positionIds.graph;
  const inv = g.constant(f32([invFreq.length], invFreq));
  const freqs = mul(unsqueeze(cast(positionIds, "float32"), [-1]), inv); // [B, T, D/2]
  const emb = concat([freqs, freqs], -1); // [B, T, D]
  const c = cosOp(emb);
  const s = sinOp(emb);
  return dtype === "float32" ? { cos: c, sin: s } : { cos: cast(c, dtype), sin: cast(s, dtype) };
}

/** rotate_half: concat(−x₂, x₁) over the last axis. */
export function rotateHalf(x: Tensor): Tensor {
  const d = x.shape[x.rank - 1];
  if (typeof d !== "number" || d % 2 !== 0) throw new Error(`rotateHalf: last dim of ${x} must be static and even`);
  const x1 = slice(x, [0], [d / 2], [-1]);
  const x2 = slice(x, [d / 2], [END], [-1]);
  return concat([neg(x2), x1], -1);
}

/** Applies rotary embeddings to x [B, H, T, D] with cos/sin [B, T, D] (HF Llama convention). */
export function applyRope(x: Tensor, cos: Tensor, sin: Tensor): Tensor {
  const c = unsqueeze(cos, [1]); // [B, 1, T, D]
  const s = unsqueeze(sin, [1]);
  return add(mul(x, c), mul(rotateHalf(x), s));
}

/**
 * Rotary tables for the fused kernel: cos and sin of p · invFreq for p = 0..length−1, [length, D/2] float32
 * (the same float32 products as `ropeCosSin`, without the repeat). `length` is an int64 scalar tensor.
 */
export function ropeTables(length: Tensor, invFreq: Float32Array, lengthDim?: string): { cos: Tensor; sin: Tensor } {
  const g = length.graph;
  const positions = cast(range(0, length, 1, "int64", lengthDim), "float32"); // [P]
  const freqs = mul(unsqueeze(positions, [-1]), g.constant(f32([invFreq.length], invFreq))); // [P, D/2]
  return { cos: cosOp(freqs), sin: sinOp(freqs) };
}
