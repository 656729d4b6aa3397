/**
 * `guardtune/tiny-random`: a random-init LlamaForCausalLM in Hugging Face format (config.json,
 * model.safetensors, tokenizer.json, tokenizer_config.json with a ChatML template,
 * generation_config.json) for tests and the demo. The same seed gives the same bytes.
 */
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Rng } from "../../engine/index.ts";
import { parseDecoderConfig } from "../config/decoder-config.ts";
import { expectedWeights } from "../config/weight-catalogue.ts";
import { elementCount, f32Tensor, type F32Tensor } from "../io/f32-tensor.ts";
import { writeSafetensors } from "../io/safetensors-write.ts";
import { buildByteLevelTokenizerJson } from "./byte-level-bpe.ts";
import { TINY_CORPUS } from "./tiny-corpus.ts";

export const TINY_RANDOM_MODEL_ID = "guardtune/tiny-random";
export const TINY_RANDOM_DEFAULT_SEED = 1234;

export const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}" +
  "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** <|endoftext|> = 0 (pad), <|im_start|> = 1, <|im_end|> = 2 (eos), as in the transformers fixtures. */
const SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] as const;
const PAD_ID = 0;
const EOS_ID = 2;
/** 3 specials + 256 bytes + 61 merges = 320 tokens. */
const MERGES = 61;
/** Larger than transformers' 0.02 so that an untrained model's logits are not nearly uniform. */
const INIT_STD = 0.08;

export interface TinyRandomOptions {
  seed?: number;
}

type Json = Record<string, unknown>;

export interface TinyRandomFiles {
  config: Json;
  generationConfig: Json;
  tokenizerJson: Json;
  tokenizerConfig: Json;
  weights: Map<string, F32Tensor>;
}

export function buildTinyRandomModel(options: TinyRandomOptions = {}): TinyRandomFiles {
  const seed = options.seed ?? TINY_RANDOM_DEFAULT_SEED;
  const tokenizerJson = buildByteLevelTokenizerJson({ corpus: TINY_CORPUS, merges: MERGES, specials: SPECIALS });
  const vocabSize = Object.keys((tokenizerJson.model as { vocab: Json }).vocab).length;
  const config: Json = {
    architectures: ["LlamaForCausalLM"],
    attention_bias: false,
    attention_dropout: 0.0,
    bos_token_id: null,
    dtype: "float32",
    eos_token_id: EOS_ID,
    head_dim: 16,
    hidden_act: "silu",
    hidden_size: 64,
    initializer_range: INIT_STD,
    intermediate_size: 176,
    max_position_embeddings: 512,
    mlp_bias: false,
    model_type: "llama",
    num_attention_heads: 4,
    num_hidden_layers: 2,
    num_key_value_heads: 2,
    pad_token_id: PAD_ID,
    pretraining_tp: 1,
    rms_norm_eps: 1e-5,
    rope_parameters: { rope_theta: 10000.0, rope_type: "default" },
    tie_word_embeddings: false,
    use_cache: true,
    vocab_size: vocabSize,
  };
  const random = new Rng(seed);
  const weights = new Map<string, F32Tensor>();
  for (const [name, shape] of expectedWeights(parseDecoderConfig(config))) {
    const data = new Float32Array(elementCount(shape));
    if (name.endsWith("norm.weight"))
      data.fill(1); // RMSNorm gains start at one
    else for (let i = 0; i < data.length; i++) data[i] = random.normal() * INIT_STD;
    weights.set(name, f32Tensor(shape, data));
  }
  return {
    config,
    generationConfig: { _from_model_config: true, eos_token_id: EOS_ID, pad_token_id: PAD_ID },
    tokenizerJson,
    tokenizerConfig: {
      bos_token: null,
      chat_template: CHATML_TEMPLATE,
      clean_up_tokenization_spaces: false,
      eos_token: SPECIALS[EOS_ID],
      model_max_length: 512,
      pad_token: SPECIALS[PAD_ID],
      tokenizer_class: "PreTrainedTokenizerFast",
      unk_token: null,
    },
    weights,
  };
}

const FILES = ["config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors"];

export async function writeTinyRandomModel(dir: string, options: TinyRandomOptions = {}): Promise<void> {
  const files = buildTinyRandomModel(options);
  await mkdir(dir, { recursive: true });
  const json = (name: string, value: Json) => writeFile(join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
  await json("config.json", files.config);
  await json("generation_config.json", files.generationConfig);
  await json("tokenizer.json", files.tokenizerJson);
  await json("tokenizer_config.json", files.tokenizerConfig);
  await writeSafetensors(join(dir, "model.safetensors"), files.weights);
}

export function isTinyRandomModelComplete(dir: string): boolean {
  return FILES.every((f) => existsSync(join(dir, f)));
}

/**
 * Writes the model into `dir` unless it is already there. Built in a sibling directory and renamed
 * into place, so concurrent callers and interrupted runs never leave a half-written model behind.
 */
export async function ensureTinyRandomModel(dir: string, options: TinyRandomOptions = {}): Promise<string> {
  if (isTinyRandomModelComplete(dir)) return dir;
  const staging = `${dir}.partial-${process.pid}-${Date.now()}`;
  await mkdir(dirname(dir), { recursive: true });
  try {
    await writeTinyRandomModel(staging, options);
    if (existsSync(dir) && !isTinyRandomModelComplete(dir)) await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
  } catch (error) {
    // another process finished first: its copy is identical for the same seed
    if (!isTinyRandomModelComplete(dir)) throw error;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return dir;
}
