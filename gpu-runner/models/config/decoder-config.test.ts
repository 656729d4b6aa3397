import { describe, expect, it } from "vitest";
import { ModelFileError } from "../model-file-error.ts";
import { HAS_HF_ORACLE, HF_ORACLE_SKIP_REASON, oraclePath } from "../test-support/fixture-paths.ts";
import { loadDecoderConfig, parseDecoderConfig } from "./decoder-config.ts";
import { ropeInverseFrequencies } from "./rope-config.ts";
import { expectedWeights } from "./weight-catalogue.ts";

/** The published config.json of Qwen/Qwen2.5-0.5B-Instruct (transformers 4.x layout). */
const qwen25 = {
  architectures: ["Qwen2ForCausalLM"],
  attention_dropout: 0.0,
  bos_token_id: 151643,
  eos_token_id: 151645,
  hidden_act: "silu",
  hidden_size: 896,
  initializer_range: 0.02,
  intermediate_size: 4864,
  max_position_embeddings: 32768,
  max_window_layers: 21,
  model_type: "qwen2",
  num_attention_heads: 14,
  num_hidden_layers: 24,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000.0,
  sliding_window: 32768,
  tie_word_embeddings: true,
  torch_dtype: "bfloat16",
  use_cache: true,
  use_sliding_window: false,
  vocab_size: 151936,
};

/** mistralai/Mistral-7B-v0.1. */
const mistral = {
  architectures: ["MistralForCausalLM"],
  bos_token_id: 1,
  eos_token_id: 2,
  hidden_act: "silu",
  hidden_size: 4096,
  intermediate_size: 14336,
  max_position_embeddings: 32768,
  model_type: "mistral",
  num_attention_heads: 32,
  num_hidden_layers: 32,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-5,
  rope_theta: 10000.0,
  sliding_window: 4096,
  tie_word_embeddings: false,
  vocab_size: 32000,
};

/** meta-llama/Llama-3.2-1B (llama3 RoPE scaling, tied embeddings, list of eos ids in the instruct variant). */
const llama32 = {
  architectures: ["LlamaForCausalLM"],
  attention_bias: false,
  bos_token_id: 128000,
  eos_token_id: [128001, 128008, 128009],
  head_dim: 64,
  hidden_act: "silu",
  hidden_size: 2048,
  intermediate_size: 8192,
  max_position_embeddings: 131072,
  mlp_bias: false,
  model_type: "llama",
  num_attention_heads: 32,
  num_hidden_layers: 16,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-5,
  rope_scaling: {
    factor: 32.0,
    high_freq_factor: 4.0,
    low_freq_factor: 1.0,
    original_max_position_embeddings: 8192,
    rope_type: "llama3",
  },
  rope_theta: 500000.0,
  tie_word_embeddings: true,
  vocab_size: 128256,
};

describe("parseDecoderConfig", () => {
  it("reads Qwen2 with q/k/v biases, tied embeddings and a derived head_dim", () => {
    const c = parseDecoderConfig(qwen25);
    expect(c).toMatchObject({
      architecture: "Qwen2ForCausalLM",
      headDim: 64,
      numKvHeads: 2,
      qkvBias: true,
      oProjBias: false,
      mlpBias: false,
      tieWordEmbeddings: true,
      ropeTheta: 1e6,
      rmsNormEps: 1e-6,
      slidingWindow: null,
      eosTokenIds: [151645],
    });
    const w = expectedWeights(c);
    expect(w.get("model.layers.0.self_attn.k_proj.weight")).toEqual([128, 896]);
    expect(w.get("model.layers.23.self_attn.q_proj.bias")).toEqual([896]);
    expect(w.has("model.layers.0.self_attn.o_proj.bias")).toBe(false);
    expect(w.has("lm_head.weight")).toBe(false);
    expect(w.size).toBe(2 + 24 * (9 + 3));
  });

  it("reads Mistral with its sliding window and no biases", () => {
    const c = parseDecoderConfig(mistral);
    expect(c).toMatchObject({
      architecture: "MistralForCausalLM",
      headDim: 128,
      slidingWindow: 4096,
      qkvBias: false,
      tieWordEmbeddings: false,
    });
    expect(expectedWeights(c).get("lm_head.weight")).toEqual([32000, 4096]);
  });

  it("reads Llama 3.2 llama3 RoPE scaling and the eos list", () => {
    const c = parseDecoderConfig(llama32);
    expect(c.ropeScaling).toEqual({
      type: "llama3",
      factor: 32,
      lowFreqFactor: 1,
      highFreqFactor: 4,
      originalMaxPositionEmbeddings: 8192,
    });
    expect(c.ropeTheta).toBe(500000);
    expect(c.eosTokenIds).toEqual([128001, 128008, 128009]);
  });

  it("takes RoPE theta from transformers 5 rope_parameters", () => {
    const { rope_theta: _theta, rope_scaling: _scaling, ...rest } = llama32;
    const c = parseDecoderConfig({ ...rest, rope_parameters: { rope_theta: 250000, rope_type: "default" } });
    expect(c.ropeTheta).toBe(250000);
    expect(c.ropeScaling).toEqual({ type: "default" });
  });

  it("turns Llama attention_bias into biases on all four attention projections", () => {
    const c = parseDecoderConfig({ ...llama32, attention_bias: true, mlp_bias: true });
    const w = expectedWeights(c);
    expect(w.get("model.layers.0.self_attn.o_proj.bias")).toEqual([2048]);
    expect(w.get("model.layers.0.mlp.down_proj.bias")).toEqual([2048]);
  });

  it.each([
    ["an unknown architecture", { ...mistral, architectures: ["GPT2LMHeadModel"] }, "unsupported_architecture"],
    ["a non-silu activation", { ...mistral, hidden_act: "gelu" }, "config_invalid"],
    ["heads not divisible by kv heads", { ...mistral, num_key_value_heads: 5 }, "config_invalid"],
    ["a missing hidden_size", { ...mistral, hidden_size: undefined }, "config_invalid"],
    [
      "an unsupported rope type",
      { ...mistral, rope_scaling: { rope_type: "yarn", factor: 4 } },
      "unsupported_architecture",
    ],
    ["Qwen2 sliding attention", { ...qwen25, use_sliding_window: true }, "config_invalid"],
  ])("rejects %s", (_what, raw, code) => {
    let error: unknown;
    try {
      parseDecoderConfig(raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelFileError);
    expect((error as ModelFileError).code).toBe(code);
  });
});

describe("ropeInverseFrequencies", () => {
  it("is theta^(-2i/d) for the default type", () => {
    const inv = ropeInverseFrequencies(16, 10000, { type: "default" });
    inv.forEach((v, i) => expect(Math.abs(v - 10000 ** (-(2 * i) / 16)) / v).toBeLessThan(2e-7));
  });

  it("keeps high frequencies, divides low ones by the factor, and blends in between (llama3)", () => {
    const scaling = {
      type: "llama3",
      factor: 32,
      lowFreqFactor: 1,
      highFreqFactor: 4,
      originalMaxPositionEmbeddings: 8192,
    } as const;
    const base = ropeInverseFrequencies(64, 500000, { type: "default" });
    const inv = ropeInverseFrequencies(64, 500000, scaling);
    expect(inv[0]).toBe(base[0]);
    expect(inv[31]).toBeCloseTo(base[31] / 32, 12);
    const medium = [...inv].filter((v, i) => v !== base[i] && Math.abs(v - base[i] / 32) > 1e-12);
    expect(medium.length).toBeGreaterThan(0);
    for (let i = 0; i < 32; i++) expect(inv[i]).toBeLessThanOrEqual(base[i]);
  });
});

describe.skipIf(!HAS_HF_ORACLE)(
  `the fixture's transformers 5 config ${HAS_HF_ORACLE ? "" : HF_ORACLE_SKIP_REASON}`,
  () => {
    it("loads tiny-llama/model/config.json", async () => {
      const c = await loadDecoderConfig(oraclePath("tiny-llama", "model"));
      expect(c).toEqual({
        architecture: "LlamaForCausalLM",
        modelType: "llama",
        vocabSize: 512,
        hiddenSize: 64,
        intermediateSize: 176,
        numLayers: 2,
        numHeads: 4,
        numKvHeads: 2,
        headDim: 16,
        rmsNormEps: 1e-5,
        ropeTheta: 10000,
        ropeScaling: { type: "default" },
        maxPositionEmbeddings: 256,
        tieWordEmbeddings: false,
        qkvBias: false,
        oProjBias: false,
        mlpBias: false,
        slidingWindow: null,
        bosTokenId: null,
        eosTokenIds: [2],
        padTokenId: 0,
      });
    });
  },
);
