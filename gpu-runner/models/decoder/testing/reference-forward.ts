/**
 * A plain-TypeScript float64 forward pass of a Llama/Qwen2/Mistral decoder, written straight from the
 * transformers modelling code, to check the graph builder on configurations without golden fixtures.
 */
import type { DecoderConfig } from "../../config/decoder-config.ts";
import { ropeInverseFrequencies } from "../../config/rope-config.ts";
import { projectionModulePath, PROJECTIONS } from "../../config/weight-catalogue.ts";
import type { F32Tensor } from "../../io/f32-tensor.ts";

export interface ReferenceLora {
  /** By module path `model.layers.N.<block>.<proj>`: A [r, in], B [out, r]. */
  readonly modules: ReadonlyMap<string, { a: F32Tensor; b: F32Tensor }>;
  readonly scale: number;
}

export interface ReferenceInputs {
  readonly inputIds: readonly (readonly number[])[];
  readonly attentionMask: readonly (readonly number[])[];
  readonly lora?: ReferenceLora;
  readonly steering?: { readonly layer: number; readonly vector: Float32Array };
}

type Rows = number[][]; // [T][features] of one example

function matvecRows(x: Rows, w: F32Tensor, bias?: F32Tensor): Rows {
  const [out, inF] = w.shape;
  return x.map((row) => {
    const y = new Array<number>(out);
    for (let o = 0; o < out; o++) {
      let s = bias ? bias.data[o] : 0;
      for (let i = 0; i < inF; i++) s += row[i] * w.data[o * inF + i];
      y[o] = s;
    }
    return y;
  });
}

function rmsNormRows(x: Rows, w: F32Tensor, eps: number): Rows {
  return x.map((row) => {
    const inv = 1 / Math.sqrt(row.reduce((s, v) => s + v * v, 0) / row.length + eps);
    return row.map((v, i) => w.data[i] * v * inv);
  });
}

const addRows = (a: Rows, b: Rows): Rows => a.map((r, t) => r.map((v, i) => v + b[t][i]));

/** Returns logits [B][T][V] and HF hidden states [L+1][B][T][H]. */
export function referenceForward(
  cfg: DecoderConfig,
  weights: ReadonlyMap<string, F32Tensor>,
  inputs: ReferenceInputs,
): { logits: Rows[]; hidden: Rows[][] } {
  const w = (name: string) => weights.get(name)!;
  const { headDim: d, numHeads: hq, numKvHeads: hkv } = cfg;
  const inv = ropeInverseFrequencies(d, cfg.ropeTheta, cfg.ropeScaling);
  const hidden: Rows[][] = Array.from({ length: cfg.numLayers + 1 }, () => []);
  const logits: Rows[] = [];
  const proj = (x: Rows, layer: number, p: (typeof PROJECTIONS)[number]): Rows => {
    const path = projectionModulePath(layer, p);
    const y = matvecRows(x, w(`${path}.weight`), weights.get(`${path}.bias`));
    const lora = inputs.lora?.modules.get(path);
    if (!lora) return y;
    const delta = matvecRows(matvecRows(x, lora.a), lora.b);
    return y.map((r, t) => r.map((v, i) => v + inputs.lora!.scale * delta[t][i]));
  };
  const rope = (x: number[], pos: number): number[] =>
    x.map((v, j) => {
      const angle = pos * inv[j % (d / 2)];
      const rot = j < d / 2 ? -x[j + d / 2] : x[j - d / 2];
      return v * Math.cos(angle) + rot * Math.sin(angle);
    });
  inputs.inputIds.forEach((ids, b) => {
    const mask = inputs.attentionMask[b];
    const T = ids.length;
    const emb = w("model.embed_tokens.weight");
    let x: Rows = ids.map((id) => Array.from(emb.data.subarray(id * cfg.hiddenSize, (id + 1) * cfg.hiddenSize)));
    hidden[0].push(x);
    for (let layer = 0; layer < cfg.numLayers; layer++) {
      const h = rmsNormRows(x, w(`model.layers.${layer}.input_layernorm.weight`), cfg.rmsNormEps);
      const [q, k, v] = (["q_proj", "k_proj", "v_proj"] as const).map((p) => proj(h, layer, p));
      const attn: Rows = Array.from({ length: T }, () => new Array<number>(hq * d).fill(0));
      for (let head = 0; head < hq; head++) {
        const kvHead = Math.floor(head / (hq / hkv));
        const qh = q.map((r, t) => rope(r.slice(head * d, head * d + d), t));
        const kh = k.map((r, t) => rope(r.slice(kvHead * d, kvHead * d + d), t));
        for (let i = 0; i < T; i++) {
          const allowed = (j: number) =>
            j <= i && mask[j] === 1 && (cfg.slidingWindow === null || i - j < cfg.slidingWindow);
          const scores = kh.map((kr) => kr.reduce((s, kv, c) => s + kv * qh[i][c], 0) / Math.sqrt(d));
          const top = Math.max(...scores.filter((_, j) => allowed(j)));
          const e = scores.map((s, j) => (allowed(j) ? Math.exp(s - top) : 0));
          const z = e.reduce((a, c) => a + c, 0);
          for (let c = 0; c < d; c++)
            attn[i][head * d + c] = e.reduce((s, p, j) => s + (p / z) * v[j][kvHead * d + c], 0);
        }
      }
      x = addRows(x, proj(attn, layer, "o_proj"));
      const h2 = rmsNormRows(x, w(`model.layers.${layer}.post_attention_layernorm.weight`), cfg.rmsNormEps);
      const gate = proj(h2, layer, "gate_proj");
      const up = proj(h2, layer, "up_proj");
      const act = gate.map((r, t) => r.map((g, i) => (g / (1 + Math.exp(-g))) * up[t][i]));
      x = addRows(x, proj(act, layer, "down_proj"));
      if (inputs.steering?.layer === layer) x = x.map((r) => r.map((val, i) => val + inputs.steering!.vector[i]));
      if (layer + 1 < cfg.numLayers) hidden[layer + 1].push(x);
    }
    const normed = rmsNormRows(x, w("model.norm.weight"), cfg.rmsNormEps);
    hidden[cfg.numLayers].push(normed);
    logits.push(matvecRows(normed, cfg.tieWordEmbeddings ? w("model.embed_tokens.weight") : w("lm_head.weight")));
  });
  return { logits, hidden };
}

/** Random weights for every entry of a weight catalogue (norm weights around 1), from a seeded normal source. */
export function randomWeights(
  expected: ReadonlyMap<string, number[]>,
  normal: () => number,
  std = 0.2,
): Map<string, F32Tensor> {
  const out = new Map<string, F32Tensor>();
  for (const [name, shape] of expected) {
    const n = shape.reduce((a, b) => a * b, 1);
    const isNorm = name.endsWith("norm.weight");
    const data = Float32Array.from({ length: n }, () => (isNorm ? 1 + 0.1 * normal() : std * normal()));
    out.set(name, { shape, data });
  }
  return out;
}
