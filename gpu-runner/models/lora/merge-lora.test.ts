import { describe, expect, it } from "vitest";
import { Rng } from "../../engine/index.ts";
import { parseDecoderConfig } from "../config/decoder-config.ts";
import { expectedWeights } from "../config/weight-catalogue.ts";
import { elementCount, f32Tensor, type F32Tensor } from "../io/f32-tensor.ts";
import { peftTensorName } from "./lora-settings.ts";
import { mergeLora } from "./merge-lora.ts";
import { createLoraAdapter, type LoraAdapter } from "./peft-adapter.ts";

const decoder = parseDecoderConfig({
  architectures: ["LlamaForCausalLM"],
  hidden_size: 16,
  intermediate_size: 24,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  num_hidden_layers: 1,
  vocab_size: 32,
});

function randomWeights(seed: number): Map<string, F32Tensor> {
  const rng = new Rng(seed);
  return new Map(
    [...expectedWeights(decoder)].map(([n, s]) => [
      n,
      f32Tensor(
        s,
        new Float32Array(elementCount(s)).map(() => rng.normal()),
      ),
    ]),
  );
}

function randomAdapter(useRslora: boolean): LoraAdapter {
  const adapter = createLoraAdapter(
    decoder,
    { r: 3, alpha: 6, useRslora, dropout: 0, targetModules: ["k_proj", "down_proj"], layersToTransform: null },
    new Rng(2),
  );
  const rng = new Rng(3);
  for (const [name, t] of adapter.tensors)
    if (name.includes("lora_B")) t.data.forEach((_, i) => (t.data[i] = rng.normal()));
  return adapter;
}

/** y = W x, row-major W [out, in]. */
function matVec(w: F32Tensor, x: Float64Array): Float64Array {
  const [out, inF] = w.shape;
  const y = new Float64Array(out);
  for (let o = 0; o < out; o++) for (let i = 0; i < inF; i++) y[o] += w.data[o * inF + i] * x[i];
  return y;
}

describe("mergeLora", () => {
  it("computes W + (alpha/r) B A on a hand-checked example", () => {
    const tiny = parseDecoderConfig({
      architectures: ["LlamaForCausalLM"],
      hidden_size: 2,
      intermediate_size: 2,
      num_attention_heads: 1,
      num_hidden_layers: 1,
      vocab_size: 2,
    });
    const weights = new Map(
      [...expectedWeights(tiny)].map(([n, s]) => [n, f32Tensor(s, new Float32Array(elementCount(s)).fill(1))]),
    );
    const target = { layer: 0, projection: "q_proj" as const };
    const adapter: LoraAdapter = {
      settings: { r: 1, alpha: 2, useRslora: false, dropout: 0, targetModules: ["q_proj"], layersToTransform: null },
      config: {},
      tensors: new Map([
        [peftTensorName(target, "A"), f32Tensor([1, 2], Float32Array.of(1, 2))],
        [peftTensorName(target, "B"), f32Tensor([2, 1], Float32Array.of(3, -1))],
      ]),
    };
    const merged = mergeLora(weights, adapter);
    // 1 + 2 * [[3], [-1]] @ [[1, 2]] = [[7, 13], [-1, -3]]
    expect([...merged.get("model.layers.0.self_attn.q_proj.weight")!.data]).toEqual([7, 13, -1, -3]);
    expect([...weights.get("model.layers.0.self_attn.q_proj.weight")!.data]).toEqual([1, 1, 1, 1]);
  });

  it.each([false, true])(
    "matches W x + s B (A x) on random weights (rsLoRA %s) and shares untouched tensors",
    (useRslora) => {
      const weights = randomWeights(1);
      const adapter = randomAdapter(useRslora);
      const scale = useRslora ? 6 / Math.sqrt(3) : 2;
      const merged = mergeLora(weights, adapter);
      for (const [projection, path] of [
        ["k_proj", "model.layers.0.self_attn.k_proj"],
        ["down_proj", "model.layers.0.mlp.down_proj"],
      ] as const) {
        const w = weights.get(`${path}.weight`)!;
        const x = Float64Array.from({ length: w.shape[1] }, (_, i) => Math.sin(i + 1));
        const base = matVec(w, x);
        const ax = matVec(adapter.tensors.get(peftTensorName({ layer: 0, projection }, "A"))!, x);
        const bax = matVec(adapter.tensors.get(peftTensorName({ layer: 0, projection }, "B"))!, ax);
        const got = matVec(merged.get(`${path}.weight`)!, x);
        got.forEach((v, o) => expect(Math.abs(v - (base[o] + scale * bax[o]))).toBeLessThan(1e-4));
        expect(Math.max(...bax.map(Math.abs))).toBeGreaterThan(0.1);
      }
      expect(merged.get("model.layers.0.self_attn.q_proj.weight")).toBe(
        weights.get("model.layers.0.self_attn.q_proj.weight"),
      );
    },
  );
});
