import type { Tensor } from "../graph/graph.ts";
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
// The GQA-tiled mask is built once per (mask, repeat count) and shared by all layers.
const tiledMasks = new WeakMap<Tensor, Map<number, Tensor>>();

function tiledMask(mask: Tensor, rep: number): Tensor {
  if (rep === 1) return mask;
  let byRep = tiledMasks.get(mask);
  if (!byRep) tiledMasks.set(mask, (byRep = new Map()));
  let m = byRep.get(rep);
  if (!m)
    byRep.set(
      rep,
      (m = concat(
        Array.from({ length: rep }, () => mask),
        2,
      )),
    ); // [B, 1, rep·T, S]
  return m;
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
  // Each kv head's group of query heads becomes one taller GEMM: [B, Hkv, rep·T, D].
  const qg = rep === 1 ? q : reshape(q, [0, hkv, -1, d]);
  const scores = mul(matmul(qg, transposeLast2(k)), options.scale ?? 1 / Math.sqrt(d)); // [B, Hkv, rep·T, S]
  const masked = options.mask ? where(tiledMask(options.mask, rep), scores, FLOAT_MIN[q.dtype]) : scores;
  const probs = softmax(masked, -1);
  const out = matmul(probs, v); // [B, Hkv, rep·T, D]
  return rep === 1 ? out : reshape(out, [0, hq, -1, d]);
}
