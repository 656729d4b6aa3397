/**
 * The decoder-only architectures the runner trains (Llama, Qwen2, Mistral), read from a Hugging Face
 * `config.json` into one typed shape. Field defaults follow transformers' config classes; anything that
 * would change the computation and that the engine does not implement is refused, not ignored.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ModelFileError } from "../model-file-error.ts";
import { parseRope, type RopeScaling } from "./rope-config.ts";

export const DECODER_ARCHITECTURES = ["LlamaForCausalLM", "Qwen2ForCausalLM", "MistralForCausalLM"] as const;
export type DecoderArchitecture = (typeof DECODER_ARCHITECTURES)[number];

const MODEL_TYPE_ARCHITECTURE: Readonly<Record<string, DecoderArchitecture>> = {
  llama: "LlamaForCausalLM",
  qwen2: "Qwen2ForCausalLM",
  mistral: "MistralForCausalLM",
};

export interface DecoderConfig {
  architecture: DecoderArchitecture;
  modelType: string;
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  /** Grouped-query attention: numHeads / numKvHeads query heads share one key/value head. */
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  ropeScaling: RopeScaling;
  maxPositionEmbeddings: number;
  /** lm_head shares model.embed_tokens.weight (no lm_head.weight in the checkpoint). */
  tieWordEmbeddings: boolean;
  /** q_proj, k_proj and v_proj carry biases (always for Qwen2, `attention_bias` for Llama). */
  qkvBias: boolean;
  oProjBias: boolean;
  mlpBias: boolean;
  /** Mistral's sliding attention window in tokens; null for full causal attention. */
  slidingWindow: number | null;
  bosTokenId: number | null;
  eosTokenIds: number[];
  padTokenId: number | null;
}

type Json = Record<string, unknown>;

export async function loadDecoderConfig(dir: string): Promise<DecoderConfig> {
  const path = join(dir, "config.json");
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (cause) {
    throw new ModelFileError("config_invalid", "cannot read config.json as JSON", path, { cause });
  }
  return parseDecoderConfig(raw, path);
}

export function parseDecoderConfig(raw: unknown, path?: string): DecoderConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new ModelFileError("config_invalid", "config is not a JSON object", path);
  const c = raw as Json;
  const fail = (why: string) => new ModelFileError("config_invalid", why, path);
  const architecture = pickArchitecture(c, path);
  const hiddenAct = c.hidden_act ?? "silu";
  if (hiddenAct !== "silu") throw fail(`hidden_act '${String(hiddenAct)}' is not supported (only silu)`);

  const hiddenSize = positiveInt(c, "hidden_size", fail);
  const numHeads = positiveInt(c, "num_attention_heads", fail);
  const numKvHeads = c.num_key_value_heads == null ? numHeads : positiveInt(c, "num_key_value_heads", fail);
  if (numHeads % numKvHeads !== 0)
    throw fail(`num_attention_heads ${numHeads} is not a multiple of num_key_value_heads ${numKvHeads}`);
  let headDim: number;
  if (c.head_dim == null) {
    if (hiddenSize % numHeads !== 0)
      throw fail(`hidden_size ${hiddenSize} is not divisible by num_attention_heads ${numHeads}`);
    headDim = hiddenSize / numHeads;
  } else {
    headDim = positiveInt(c, "head_dim", fail);
  }
  if (headDim % 2 !== 0) throw fail(`head_dim ${headDim} must be even for rotary embeddings`);

  const isLlama = architecture === "LlamaForCausalLM";
  const attentionBias = isLlama ? optionalBool(c, "attention_bias", false, fail) : false;
  const rope = parseRope(c, path);
  const config: DecoderConfig = {
    architecture,
    modelType: typeof c.model_type === "string" ? c.model_type : "",
    vocabSize: positiveInt(c, "vocab_size", fail),
    hiddenSize,
    intermediateSize: positiveInt(c, "intermediate_size", fail),
    numLayers: positiveInt(c, "num_hidden_layers", fail),
    numHeads,
    numKvHeads,
    headDim,
    rmsNormEps: positiveNumber(c, "rms_norm_eps", 1e-6, fail),
    ropeTheta: rope.theta,
    ropeScaling: rope.scaling,
    maxPositionEmbeddings: c.max_position_embeddings == null ? 2048 : positiveInt(c, "max_position_embeddings", fail),
    tieWordEmbeddings: optionalBool(c, "tie_word_embeddings", false, fail),
    qkvBias: architecture === "Qwen2ForCausalLM" || attentionBias,
    oProjBias: attentionBias,
    mlpBias: isLlama ? optionalBool(c, "mlp_bias", false, fail) : false,
    slidingWindow: slidingWindow(c, architecture, fail),
    bosTokenId: optionalTokenId(c, "bos_token_id", fail),
    eosTokenIds: tokenIdList(c.eos_token_id, "eos_token_id", fail),
    padTokenId: optionalTokenId(c, "pad_token_id", fail),
  };
  if (config.rmsNormEps >= 1) throw fail(`rms_norm_eps ${config.rmsNormEps} is implausible`);
  return config;
}

function pickArchitecture(c: Json, path?: string): DecoderArchitecture {
  const listed = Array.isArray(c.architectures)
    ? c.architectures.filter((a): a is string => typeof a === "string")
    : [];
  const known = listed.find((a): a is DecoderArchitecture => (DECODER_ARCHITECTURES as readonly string[]).includes(a));
  if (known !== undefined) return known;
  if (listed.length === 0 && typeof c.model_type === "string" && MODEL_TYPE_ARCHITECTURE[c.model_type] !== undefined) {
    return MODEL_TYPE_ARCHITECTURE[c.model_type];
  }
  const what = listed.length > 0 ? listed.join(", ") : `model_type ${String(c.model_type)}`;
  throw new ModelFileError(
    "unsupported_architecture",
    `${what} is not one of ${DECODER_ARCHITECTURES.join(", ")}`,
    path,
  );
}

function slidingWindow(c: Json, architecture: DecoderArchitecture, fail: (why: string) => Error): number | null {
  if (architecture === "Qwen2ForCausalLM") {
    // Qwen2 ships a sliding_window value but only applies it with use_sliding_window
    if (c.use_sliding_window === true) throw fail("Qwen2 use_sliding_window is not supported");
    return null;
  }
  if (architecture === "MistralForCausalLM" && c.sliding_window != null) return positiveInt(c, "sliding_window", fail);
  return null;
}

type Fail = (why: string) => Error;

function positiveInt(c: Json, key: string, fail: Fail): number {
  const v = c[key];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v <= 0)
    throw fail(`${key} must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

function positiveNumber(c: Json, key: string, fallback: number, fail: Fail): number {
  const v = c[key] ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0)
    throw fail(`${key} must be a positive number, got ${JSON.stringify(v)}`);
  return v;
}

function optionalBool(c: Json, key: string, fallback: boolean, fail: Fail): boolean {
  const v = c[key] ?? fallback;
  if (typeof v !== "boolean") throw fail(`${key} must be a boolean, got ${JSON.stringify(v)}`);
  return v;
}

function optionalTokenId(c: Json, key: string, fail: Fail): number | null {
  const v = c[key];
  if (v == null) return null;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0)
    throw fail(`${key} must be a token id, got ${JSON.stringify(v)}`);
  return v;
}

/** eos_token_id is an int or a list of ints in HF configs. */
export function tokenIdList(v: unknown, key: string, fail: Fail): number[] {
  if (v == null) return [];
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((x) => typeof x === "number" && Number.isSafeInteger(x) && x >= 0))
    throw fail(`${key} must be a token id or a list of them`);
  return list as number[];
}
