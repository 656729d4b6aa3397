import { describe, expect, it } from "vitest";
import { parseDecoderConfig } from "../config/decoder-config.ts";
import { modelFlopsPerToken } from "./model-flops.ts";

// vocab 10, hidden 4, ffn 6, 2 query heads and 1 kv head of dim 2, one layer.
const tiny = parseDecoderConfig({
  architectures: ["LlamaForCausalLM"],
  model_type: "llama",
  vocab_size: 10,
  hidden_size: 4,
  intermediate_size: 6,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  tie_word_embeddings: false,
});

describe("model FLOPs per token", () => {
  it("matches a hand count on a tiny config", () => {
    // weights: q 4·4 + k 2·4 + v 2·4 + o 4·4 + gate/up/down 3 · 6·4 = 120 → forward 240
    // LoRA r 1 on q_proj: (4 + 4) · 2 · 1 = 16 forward, 48 with both backward halves
    // attention, T 3: scores 2·3·2·2 = 24 + values 24 = 48 forward, 144 with backward
    // LM head 2·4·10 = 80 forward, 160 with the input gradient
    const lora = { r: 1, targetModules: ["q_proj"], layersToTransform: null };
    const train = modelFlopsPerToken(tiny, "lora-train", { seqLen: 3, lora });
    expect(train).toEqual({ projections: 480, lora: 48, attention: 144, lmHead: 160, total: 832 });
    // full training adds the weight gradients: 3 · 240 + 144 + 3 · 80
    expect(modelFlopsPerToken(tiny, "full-train", { seqLen: 3 }).total).toBe(720 + 144 + 240);
    // scoring: forward with the LM head at half the positions
    expect(modelFlopsPerToken(tiny, "forward", { seqLen: 3, lmHeadFraction: 0.5 }).total).toBe(240 + 48 + 40);
  });

  it("respects layers_to_transform", () => {
    const two = { ...tiny, numLayers: 2 };
    const lora = { r: 1, targetModules: ["q_proj"], layersToTransform: [1] };
    expect(modelFlopsPerToken(two, "lora-train", { seqLen: 3, lora }).lora).toBe(48);
  });
});
