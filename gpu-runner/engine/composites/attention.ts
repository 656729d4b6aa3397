import type { Tensor } from "../graph/graph.ts";
import { add } from "../ops/add.ts";
import { and, lessOrEqual } from "../ops/compare.ts";
import { cast } from "../ops/cast.ts";
import { concat } from "../ops/concat.ts";
import { matmul } from "../ops/matmul.ts";
import { mul } from "../ops/mul.ts";
import { range } from "../ops/range.ts";
import { reshape } from "../ops/reshape.ts";
import { dimOf } from "../ops/shape.ts";
import { softmax } from "../ops/softmax.ts";
import { transposeLast2 } from "../ops/transpose.ts";
import { unsqueeze } from "../ops/unsqueeze.ts";
import { where } from "../ops/where.ts";

/**
 * The boolean "may attend" mask [B, 1, T, S] of causal attention: query i sees key j when j ≤ queryIndex[i]
 * and key j is not padding. `attentionMask` is [B, S] over the keys (1 = token, 0 = pad; int64, float or
 * bool). `queryIndex` [T] (int64) gives each query's key index; by default queries are the keys (T = S), and
 * with a KV cache it is the positions of the new tokens in the cache.
 */
export function causalMask(attentionMask: Tensor, queryIndex?: Tensor): Tensor {
  const s = attentionMask.shape[1];
  const keyIndex = range(0, dimOf(attentionMask, 1), 1, "int64", s); // [S]
  const q = queryIndex ?? keyIndex; // [T]
  const causal = lessOrEqual(unsqueeze(keyIndex, [0]), unsqueeze(q, [1])); // [T, S]
  const keys = attentionMask.dtype === "bool" ? attentionMask : cast(attentionMask, "bool");
  return and(unsqueeze(causal, [0, 1]), unsqueeze(keys, [1, 2])); // [B, 1, T, S]
}

export interface AttentionOptions {
  /** Boolean [B, 1, T, S] mask (see `causalMask`); undefined attends everywhere. */
  readonly mask?: Tensor;
  /** Score scale, default 1/√D. */
  readonly scale?: number;
}

const FLOAT_MIN = { float32: -3.4028234663852886e38, float64: -Number.MAX_VALUE } as const;
// The additive, GQA-tiled mask is built once per (mask, dtype, repeat count) and shared by all layers.
const maskBiases = new WeakMap<Tensor, Map<string, Tensor>>();

/**
 * 0 where the mask allows, the dtype's minimum elsewhere, [B, 1, rep·T, S]. Added to the scores it gives
 * exactly HF's masked scores (score + min rounds to min for any |score| < 1e31), and unlike a Where it needs
 * no gradient pass: the sum passes dscores through untouched.
 */
function maskBias(mask: Tensor, dtype: "float32" | "float64", rep: number): Tensor {
  let byKey = maskBiases.get(mask);
  if (!byKey) maskBiases.set(mask, (byKey = new Map()));
  const key = `${dtype}/${rep}`;
  let bias = byKey.get(key);
  if (!bias) {
    const tiled =
      rep === 1
        ? mask
        : concat(
            Array.from({ length: rep }, () => mask),
            2,
          ); // [B, 1, rep·T, S]
    const zero = mask.graph.scalar(0, dtype);
    byKey.set(key, (bias = where(tiled, zero, FLOAT_MIN[dtype])));
  }
  return bias;
}

/**
 * Scaled dot-product attention with grouped-query heads, as HF eager attention: q [B, Hq, T, D],
 * k and v [B, Hkv, S, D] with Hq a multiple of Hkv (query head h uses kv head ⌊h / (Hq/Hkv)⌋). Masked scores
 * become the dtype's minimum, like HF's additive mask. Returns [B, Hq, T, D].
 */
export function attention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): Tensor {
  const [hq, d] = [q.shape[1], q.shape[3]];
  const hkv = k.shape[1];
  if (typeof hq !== "number" || typeof hkv !== "number" || typeof d !== "number" || hq % hkv !== 0) {
    throw new Error(`attention: heads of ${q} must be a static multiple of those of ${k}, with a static head dim`);
  }
  if (q.dtype !== "float32" && q.dtype !== "float64") throw new Error(`attention: ${q} must be float32 or float64`);
  const rep = hq / hkv;
  // Each kv head's group of query heads becomes one taller GEMM: [B, Hkv, rep·T, D]. The scale goes on q
  // ([·, T, D], S/D times smaller than the scores; exact for power-of-two scales such as 1/√64).
  const scale = options.scale ?? 1 / Math.sqrt(d);
  const qs = mul(q, scale);
  const qg = rep === 1 ? qs : reshape(qs, [0, hkv, -1, d]);
  const scores = matmul(qg, transposeLast2(k)); // [B, Hkv, rep·T, S]
  const masked = options.mask ? add(scores, maskBias(options.mask, q.dtype, rep)) : scores;
  const probs = softmax(masked, -1);
  const out = matmul(probs, v); // [B, Hkv, rep·T, D]
  return rep === 1 ? out : reshape(out, [0, hq, -1, d]);
}
