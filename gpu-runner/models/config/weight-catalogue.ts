/**
 * The tensors a decoder checkpoint must hold, by Hugging Face name, with the shapes its config implies.
 * Linear weights are [out, in] (torch.nn.Linear layout).
 */
import type { DecoderConfig } from "./decoder-config.ts";

export const ATTENTION_PROJECTIONS = ["q_proj", "k_proj", "v_proj", "o_proj"] as const;
export const MLP_PROJECTIONS = ["gate_proj", "up_proj", "down_proj"] as const;
/** The seven linear layers of a decoder block, the modules LoRA can target. */
export const PROJECTIONS = [...ATTENTION_PROJECTIONS, ...MLP_PROJECTIONS] as const;
export type Projection = (typeof PROJECTIONS)[number];

export function isProjection(name: string): name is Projection {
  return (PROJECTIONS as readonly string[]).includes(name);
}

/** `model.layers.N.self_attn.q_proj` / `model.layers.N.mlp.gate_proj` (no `.weight`). */
export function projectionModulePath(layer: number, projection: Projection): string {
  const block = (ATTENTION_PROJECTIONS as readonly string[]).includes(projection) ? "self_attn" : "mlp";
  return `model.layers.${layer}.${block}.${projection}`;
}

/** [out, in] of one projection's weight. */
export function projectionShape(config: DecoderConfig, projection: Projection): { out: number; in: number } {
  const q = config.numHeads * config.headDim;
  const kv = config.numKvHeads * config.headDim;
  const h = config.hiddenSize;
  const i = config.intermediateSize;
  switch (projection) {
    case "q_proj":
      return { out: q, in: h };
    case "k_proj":
      return { out: kv, in: h };
    case "v_proj":
      return { out: kv, in: h };
    case "o_proj":
      return { out: h, in: q };
    case "gate_proj":
      return { out: i, in: h };
    case "up_proj":
      return { out: i, in: h };
    case "down_proj":
      return { out: h, in: i };
  }
}

function hasBias(config: DecoderConfig, projection: Projection): boolean {
  if (projection === "q_proj" || projection === "k_proj" || projection === "v_proj") return config.qkvBias;
  if (projection === "o_proj") return config.oProjBias;
  return config.mlpBias;
}

/** Every expected tensor name with its shape, in a stable order (embedding, layers, norm, head). */
export function expectedWeights(config: DecoderConfig): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const h = config.hiddenSize;
  out.set("model.embed_tokens.weight", [config.vocabSize, h]);
  for (let layer = 0; layer < config.numLayers; layer++) {
    out.set(`model.layers.${layer}.input_layernorm.weight`, [h]);
    for (const projection of PROJECTIONS) {
      const path = projectionModulePath(layer, projection);
      const shape = projectionShape(config, projection);
      out.set(`${path}.weight`, [shape.out, shape.in]);
      if (hasBias(config, projection)) out.set(`${path}.bias`, [shape.out]);
    }
    out.set(`model.layers.${layer}.post_attention_layernorm.weight`, [h]);
  }
  out.set("model.norm.weight", [h]);
  if (!config.tieWordEmbeddings) out.set("lm_head.weight", [config.vocabSize, h]);
  return out;
}

/**
 * Tensors that transformers drops silently when loading: rotary caches saved by old versions, and a
 * redundant lm_head.weight next to tied embeddings.
 */
export function isIgnorableWeight(config: DecoderConfig, name: string): boolean {
  if (/^model\.layers\.\d+\.self_attn\.rotary_emb\.inv_freq$/.test(name)) return true;
  return config.tieWordEmbeddings && name === "lm_head.weight";
}
