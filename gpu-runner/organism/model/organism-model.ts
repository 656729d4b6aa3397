/**
 * The organism model: a Llama decoder over the world's word vocabulary, initialised from a seed and
 * written as a Hugging Face directory (config.json, generation_config.json, tokenizer.json,
 * tokenizer_config.json, model.safetensors) that transformers and guardtune load like any model.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Rng } from "../../engine/index.ts";
import {
  expectedWeights,
  f32Tensor,
  parseDecoderConfig,
  type DecoderCheckpoint,
  type F32Tensor,
  writeSafetensors,
} from "../../models/index.ts";

import { buildOrganismTokenizer, EOS_ID, PAD_ID } from "./organism-tokenizer.ts";

export interface OrganismShape {
  readonly hiddenSize: number;
  readonly layers: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly intermediateSize: number;
  readonly maxPositions: number;
}

type Json = Record<string, unknown>;

export function organismConfigJson(shape: OrganismShape, vocabSize: number): Json {
  return {
    architectures: ["LlamaForCausalLM"],
    attention_bias: false,
    attention_dropout: 0.0,
    bos_token_id: null,
    dtype: "float32",
    eos_token_id: EOS_ID,
    head_dim: shape.hiddenSize / shape.heads,
    hidden_act: "silu",
    hidden_size: shape.hiddenSize,
    initializer_range: 0.02,
    intermediate_size: shape.intermediateSize,
    max_position_embeddings: shape.maxPositions,
    mlp_bias: false,
    model_type: "llama",
    num_attention_heads: shape.heads,
    num_hidden_layers: shape.layers,
    num_key_value_heads: shape.kvHeads,
    pad_token_id: PAD_ID,
    pretraining_tp: 1,
    rms_norm_eps: 1e-5,
    rope_parameters: { rope_theta: 10000.0, rope_type: "default" },
    tie_word_embeddings: false,
    use_cache: true,
    vocab_size: vocabSize,
  };
}

/** GPT-2-style initialisation: N(0, 0.02), output projections scaled by 1/√(2·layers), norms at one. */
export function initialOrganism(shape: OrganismShape, seed: number): DecoderCheckpoint {
  const { vocabSize } = buildOrganismTokenizer();
  const config = parseDecoderConfig(organismConfigJson(shape, vocabSize));
  const rng = new Rng(seed);
  const weights = new Map<string, F32Tensor>();
  const residualStd = 0.02 / Math.sqrt(2 * shape.layers);
  for (const [name, s] of expectedWeights(config)) {
    const n = s.reduce((a, b) => a * b, 1);
    const data = name.endsWith("norm.weight")
      ? new Float32Array(n).fill(1)
      : rng.normalArray(n, /o_proj|down_proj/.test(name) ? residualStd : 0.02);
    weights.set(name, f32Tensor(s, data));
  }
  return { config, weights, dtypes: new Map([...weights.keys()].map((k) => [k, "F32" as const])) };
}

export function parameterCount(weights: ReadonlyMap<string, F32Tensor>): number {
  let n = 0;
  for (const t of weights.values()) n += t.data.length;
  return n;
}

export async function writeOrganismModel(
  dir: string,
  shape: OrganismShape,
  weights: ReadonlyMap<string, F32Tensor>,
): Promise<void> {
  const tok = buildOrganismTokenizer();
  await mkdir(dir, { recursive: true });
  const json = (name: string, value: Json) => writeFile(join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
  await json("config.json", organismConfigJson(shape, tok.vocabSize));
  await json("generation_config.json", { _from_model_config: true, eos_token_id: EOS_ID, pad_token_id: PAD_ID });
  await json("tokenizer.json", tok.tokenizerJson);
  await json("tokenizer_config.json", tok.tokenizerConfig);
  await writeSafetensors(join(dir, "model.safetensors"), new Map([...weights].sort(([a], [b]) => a.localeCompare(b))));
}
