/**
 * The decoder's linear projections with PEFT's LoRA, and their grouped form: projections that read the same
 * input (q/k/v; gate/up) run as one GEMM over their concatenated weights and one GEMM over their concatenated
 * LoRA A matrices, then split. The math per output column is unchanged; what changes is the work around it:
 * one wide GEMM instead of several narrow ones (the rank-r LoRA GEMMs are far below the MatMul peak on their
 * own), one input-gradient GEMM instead of several plus the adds that summed them.
 */
import { add, concat, dropout, linear, mul, split, type Tensor } from "../../engine/index.ts";
import { projectionModulePath, type Projection } from "../config/weight-catalogue.ts";
import type { LoraBinding, PassWeights } from "./decoder-weights.ts";

/** Above this many bytes a group's weights stay separate (keeps each buffer within accelerator limits). */
const MAX_GROUP_BYTES = 64 * 1024 * 1024;

export interface ProjectionPass {
  readonly weights: PassWeights;
  readonly lora?: ReadonlyMap<string, LoraBinding>;
  /** The most output columns a group may join (its [tokens, Σout] output within a binding limit); default any. */
  readonly maxGroupColumns?: number;
}

/** y = x Wᵀ (+ b) + s · (dropout(x) Aᵀ) Bᵀ, PEFT's LoRA Linear; the scale is applied on the rank-r side. */
export function projection(pass: ProjectionPass, x: Tensor, layer: number, proj: Projection): Tensor {
  const path = projectionModulePath(layer, proj);
  const y = linear(x, pass.weights.get(`${path}.weight`)!, pass.weights.get(`${path}.bias`));
  const lora = pass.lora?.get(path);
  if (!lora) return y;
  const xd = lora.keepMask ? dropout(x, lora.keepMask, lora.dropout) : x;
  return loraUpdate(y, linear(xd, lora.a), lora);
}

/** y + scale · u Bᵀ, with u = dropout(x) Aᵀ [..., r]. */
export function loraUpdate(y: Tensor, u: Tensor, lora: LoraBinding): Tensor {
  return add(y, linear(mul(u, lora.b.graph.scalar(lora.scale, "float32")), lora.b)); // [..., out]
}

// Concatenated weights are built once per graph and set of tensors, so passes sharing weights share them.
const concatenated = new WeakMap<Tensor, Map<string, Tensor>>();

function concatOnce(parts: readonly Tensor[]): Tensor {
  let byKey = concatenated.get(parts[0]);
  if (!byKey) concatenated.set(parts[0], (byKey = new Map()));
  const key = parts.map((p) => p.name).join("|");
  let t = byKey.get(key);
  if (!t) byKey.set(key, (t = concat(parts, 0)));
  return t;
}

export interface GroupOptions {
  /**
   * Keep one base GEMM per projection and group only the LoRA A side. For outputs that are already wide
   * (gate/up: 2 × I columns) a joined GEMM gains nothing, while its split copies the whole [..., Σout] output
   * forward and the gradient's concat copies it again backward.
   */
  readonly separateBase?: boolean;
}

/** The projections `projs` of one layer, all reading `x`, grouped where they can be (see the file comment). */
export function projectionGroup(
  pass: ProjectionPass,
  x: Tensor,
  layer: number,
  projs: readonly Projection[],
  options: GroupOptions = {},
): Tensor[] {
  const paths = projs.map((p) => projectionModulePath(layer, p));
  const weights = paths.map((p) => pass.weights.get(`${p}.weight`)!);
  const biases = paths.map((p) => pass.weights.get(`${p}.bias`));
  const outs = weights.map((w) => w.shape[0] as number);
  const bytes = weights.reduce((n, w) => n + 4 * (w.shape[0] as number) * (w.shape[1] as number), 0);
  const withBias = biases.every((b) => b !== undefined);
  const columns = outs.reduce((a, b) => a + b, 0);
  if (
    bytes > MAX_GROUP_BYTES ||
    columns > (pass.maxGroupColumns ?? Infinity) ||
    !(withBias || biases.every((b) => b === undefined))
  )
    return projs.map((p) => projection(pass, x, layer, p));
  const ys = options.separateBase
    ? weights.map((w, i) => linear(x, w, biases[i]))
    : split(linear(x, concatOnce(weights), withBias ? concatOnce(biases as Tensor[]) : undefined), outs, -1); // [..., out_i] each
  const loras = paths.map((p) => pass.lora?.get(p));
  // Grouping the A side needs the same input for every adapter: all present and without dropout masks.
  if (loras.every((l) => l === undefined)) return ys;
  if (!loras.every((l) => l !== undefined && l.keepMask === undefined)) {
    return ys.map((y, i) => {
      const l = loras[i];
      if (!l) return y;
      return loraUpdate(y, linear(l.keepMask ? dropout(x, l.keepMask, l.dropout) : x, l.a), l);
    });
  }
  const ls = loras as LoraBinding[];
  const us = split(
    linear(x, concatOnce(ls.map((l) => l.a))),
    ls.map((l) => l.a.shape[0] as number),
    -1,
  ); // [..., r] each
  return ys.map((y, i) => loraUpdate(y, us[i], ls[i]));
}
