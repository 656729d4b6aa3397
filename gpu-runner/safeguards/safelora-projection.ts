/**
 * SafeLoRA (Hsu et al., 2024) as a post-hoc step: for every adapted weight, the alignment direction
 * V = W_aligned − W_unaligned [out, in] defines C = V Vᵀ / ‖V‖_F [out, out]. The adapter's update
 * ΔW = B A [out, in] is compared with its image C ΔW by cosine similarity (Frobenius inner product); weights
 * whose update points away from the alignment subspace (cos < τ, or the k lowest) get B replaced by C B,
 * so their update becomes C B A.
 *
 * C is never formed: C B = V (Vᵀ B) / ‖V‖_F, and for X, Y [out, r] the Frobenius products of X A and Y A
 * reduce to r×r matrices, ⟨X A, Y A⟩ = Σ (Xᵀ Y) ∘ (A Aᵀ). The cost is O(out·in·r) per weight instead of
 * O(out²·in). Accumulation is in float64. The LoRA scale s > 0 does not change the cosine and is left out.
 */
import {
  PROJECTIONS,
  f32Tensor,
  parsePeftTensorName,
  peftTensorName,
  projectionModulePath,
  type F32Tensor,
  type LoraAdapter,
  type LoraTarget,
} from "../models/index.ts";

export interface SafeloraOptions {
  readonly mode: "threshold" | "top_k";
  /** τ: project when cos(C ΔW, ΔW) < τ (mode "threshold"). */
  readonly threshold: number;
  /** Project the k weights with the lowest similarity (mode "top_k"). */
  readonly topK: number;
}

export interface SafeloraLayerReport {
  readonly layer: number;
  readonly projection: string;
  /** cos(C ΔW, ΔW) before projection; NaN when ΔW or V is zero. */
  readonly similarity: number;
  readonly projected: boolean;
}

export interface SafeloraResult {
  /** A new adapter with projected B matrices (A and unprojected B shared with the input). */
  readonly adapter: LoraAdapter;
  readonly layers: readonly SafeloraLayerReport[];
  readonly projectedCount: number;
}

/** Reads a weight of the aligned or unaligned model by Hugging Face name ([out, in]). */
export type WeightSource = (name: string) => F32Tensor | undefined;

const weightName = (t: LoraTarget): string => `${projectionModulePath(t.layer, t.projection)}.weight`;
const PROJECTION_ORDER: readonly string[] = PROJECTIONS;

/** V = W_aligned − W_unaligned in float64 [out, in]. */
function alignmentDirection(aligned: F32Tensor, unaligned: F32Tensor, name: string): Float64Array {
  if (aligned.shape.join() !== unaligned.shape.join()) {
    throw new RangeError(`${name}: aligned [${aligned.shape}] and unaligned [${unaligned.shape}] shapes differ`);
  }
  const v = new Float64Array(aligned.data.length);
  for (let i = 0; i < v.length; i++) v[i] = aligned.data[i] - unaligned.data[i];
  return v;
}

/** C B = V (Vᵀ B) / ‖V‖_F; V [out, in], B [out, r] → [out, r]. Zero when V = 0. */
export function projectB(v: Float64Array, b: Float32Array, out: number, inFeatures: number, r: number): Float64Array {
  let norm2 = 0;
  for (let i = 0; i < v.length; i++) norm2 += v[i] * v[i];
  const result = new Float64Array(out * r);
  if (norm2 === 0) return result;
  const vtb = new Float64Array(inFeatures * r); // [in, r]
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inFeatures; i++) {
      const vo = v[o * inFeatures + i];
      if (vo === 0) continue;
      for (let k = 0; k < r; k++) vtb[i * r + k] += vo * b[o * r + k];
    }
  }
  const inv = 1 / Math.sqrt(norm2);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inFeatures; i++) {
      const vo = v[o * inFeatures + i] * inv;
      if (vo === 0) continue;
      for (let k = 0; k < r; k++) result[o * r + k] += vo * vtb[i * r + k];
    }
  }
  return result;
}

/** Xᵀ Y for X, Y [rows, r] → [r, r]. */
function gram(x: ArrayLike<number>, y: ArrayLike<number>, rows: number, r: number): Float64Array {
  const g = new Float64Array(r * r);
  for (let o = 0; o < rows; o++) {
    for (let j = 0; j < r; j++) {
      const xj = x[o * r + j];
      if (xj === 0) continue;
      for (let k = 0; k < r; k++) g[j * r + k] += xj * y[o * r + k];
    }
  }
  return g;
}

const frob = (g: Float64Array, aat: Float64Array) => g.reduce((s, x, i) => s + x * aat[i], 0);

/** cos(C B A, B A) from B [out, r], C B [out, r] and A [r, in]. */
export function projectedCosine(
  b: Float32Array,
  cb: Float64Array,
  a: Float32Array,
  out: number,
  inFeatures: number,
  r: number,
): number {
  const aat = new Float64Array(r * r); // A Aᵀ [r, r]
  for (let j = 0; j < r; j++) {
    for (let k = j; k < r; k++) {
      let s = 0;
      for (let i = 0; i < inFeatures; i++) s += a[j * inFeatures + i] * a[k * inFeatures + i];
      aat[j * r + k] = s;
      aat[k * r + j] = s;
    }
  }
  const cross = frob(gram(cb, b, out, r), aat); // ⟨C B A, B A⟩
  const selfP = frob(gram(cb, cb, out, r), aat); // ‖C B A‖²
  const selfW = frob(gram(b, b, out, r), aat); // ‖B A‖²
  const denom = Math.sqrt(Math.max(selfP, 0)) * Math.sqrt(Math.max(selfW, 0));
  return denom === 0 ? Number.NaN : cross / denom;
}

/** Indices to project: below τ, or the k lowest (ties by position; NaN similarities are never projected). */
export function selectForProjection(similarities: readonly number[], options: SafeloraOptions): Set<number> {
  const finite = similarities.map((s, i) => ({ s, i })).filter((e) => Number.isFinite(e.s));
  if (options.mode === "threshold") return new Set(finite.filter((e) => e.s < options.threshold).map((e) => e.i));
  finite.sort((x, y) => x.s - y.s || x.i - y.i);
  return new Set(finite.slice(0, options.topK).map((e) => e.i));
}

/** Applies SafeLoRA to every targeted weight of the adapter. */
export function applySafelora(
  adapter: LoraAdapter,
  aligned: WeightSource,
  unaligned: WeightSource,
  options: SafeloraOptions,
): SafeloraResult {
  const targets: LoraTarget[] = [];
  for (const name of adapter.tensors.keys()) {
    const t = parsePeftTensorName(name);
    if (t?.matrix === "A") targets.push({ layer: t.layer, projection: t.projection });
  }
  targets.sort(
    (x, y) => x.layer - y.layer || PROJECTION_ORDER.indexOf(x.projection) - PROJECTION_ORDER.indexOf(y.projection),
  );
  const r = adapter.settings.r;
  const computed = targets.map((t) => {
    const name = weightName(t);
    const wa = aligned(name);
    const wu = unaligned(name);
    if (!wa || !wu) throw new RangeError(`${name} is missing from the ${wa ? "unaligned" : "aligned"} model`);
    const [out, inFeatures] = wa.shape;
    const a = adapter.tensors.get(peftTensorName(t, "A"))!.data; // [r, in]
    const b = adapter.tensors.get(peftTensorName(t, "B"))!.data; // [out, r]
    const cb = projectB(alignmentDirection(wa, wu, name), b, out, inFeatures, r);
    return { t, out, cb, similarity: projectedCosine(b, cb, a, out, inFeatures, r) };
  });
  const chosen = selectForProjection(
    computed.map((c) => c.similarity),
    options,
  );
  const tensors = new Map(adapter.tensors);
  const layers = computed.map((c, i): SafeloraLayerReport => {
    const projected = chosen.has(i);
    if (projected) tensors.set(peftTensorName(c.t, "B"), f32Tensor([c.out, r], Float32Array.from(c.cb)));
    return { layer: c.t.layer, projection: c.t.projection, similarity: c.similarity, projected };
  });
  return { adapter: { ...adapter, tensors }, layers, projectedCount: chosen.size };
}
