import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseDecoderConfig } from "./config/decoder-config.ts";
import { expectedWeights } from "./config/weight-catalogue.ts";
import { elementCount, f32Tensor, type F32Tensor } from "./io/f32-tensor.ts";
import { writeShardedCheckpoint } from "./io/checkpoint-files.ts";
import { writeSafetensors } from "./io/safetensors-write.ts";
import { loadDecoderCheckpoint } from "./load-decoder-checkpoint.ts";
import { WeightSetMismatchError } from "./model-file-error.ts";
import { HAS_HF_ORACLE, HF_ORACLE_SKIP_REASON, oraclePath } from "./test-support/fixture-paths.ts";

const root = await mkdtemp(join(tmpdir(), "decoder-checkpoint-"));
afterAll(() => rm(root, { recursive: true, force: true }));

/** A two-layer Qwen2 (biases, tied embeddings) small enough to write in a test. */
const qwenConfig = {
  architectures: ["Qwen2ForCausalLM"],
  model_type: "qwen2",
  hidden_size: 32,
  intermediate_size: 48,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  num_hidden_layers: 2,
  vocab_size: 40,
  rms_norm_eps: 1e-6,
  rope_theta: 1e6,
  tie_word_embeddings: true,
  eos_token_id: 2,
};

function weightsFor(raw: object): Map<string, F32Tensor> {
  const out = new Map<string, F32Tensor>();
  let k = 0;
  for (const [name, shape] of expectedWeights(parseDecoderConfig(raw))) {
    out.set(
      name,
      f32Tensor(
        shape,
        new Float32Array(elementCount(shape)).map(() => (k++ % 97) / 97),
      ),
    );
  }
  return out;
}

async function modelDir(name: string, raw: object, tensors: Map<string, F32Tensor>, sharded = false): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "config.json"), JSON.stringify(raw));
  if (sharded) await writeShardedCheckpoint(dir, tensors, { maxShardBytes: 8192, dtype: "BF16" });
  else await writeSafetensors(join(dir, "model.safetensors"), tensors);
  return dir;
}

describe("loadDecoderCheckpoint", () => {
  it("loads a tied Qwen2 checkpoint, sharded in bf16, and drops a redundant lm_head", async () => {
    const tensors = weightsFor(qwenConfig);
    tensors.set("lm_head.weight", tensors.get("model.embed_tokens.weight")!);
    const dir = await modelDir("qwen-sharded", qwenConfig, tensors, true);
    const ckpt = await loadDecoderCheckpoint(dir);
    expect(ckpt.config.qkvBias).toBe(true);
    expect(ckpt.weights.has("lm_head.weight")).toBe(false);
    expect(ckpt.weights.size).toBe(expectedWeights(ckpt.config).size);
    expect(ckpt.dtypes.get("model.norm.weight")).toBe("BF16");
  });

  it("lists every missing, unexpected and wrong-shaped tensor in one typed error", async () => {
    const tensors = weightsFor(qwenConfig);
    tensors.delete("model.layers.1.self_attn.k_proj.bias");
    tensors.delete("model.norm.weight");
    tensors.set("model.layers.0.self_attn.o_proj.bias", f32Tensor([32], new Float32Array(32)));
    tensors.set("model.layers.0.mlp.up_proj.weight", f32Tensor([32, 48], new Float32Array(32 * 48)));
    const dir = await modelDir("qwen-broken", qwenConfig, tensors);
    const error = await loadDecoderCheckpoint(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeightSetMismatchError);
    const mismatch = error as WeightSetMismatchError;
    expect(mismatch.code).toBe("weight_set_mismatch");
    expect(mismatch.missing).toEqual(["model.layers.1.self_attn.k_proj.bias", "model.norm.weight"]);
    expect(mismatch.unexpected).toEqual(["model.layers.0.self_attn.o_proj.bias"]);
    expect(mismatch.wrongShape).toEqual([
      { name: "model.layers.0.mlp.up_proj.weight", expected: [48, 32], actual: [32, 48] },
    ]);
    expect(mismatch.message).toMatch(/missing keys \(2\).*unexpected keys \(1\).*wrong shapes \(1\)/);
  });

  it("requires lm_head.weight when embeddings are not tied", async () => {
    const untied = { ...qwenConfig, tie_word_embeddings: false };
    const tensors = weightsFor(qwenConfig);
    const error = await loadDecoderCheckpoint(await modelDir("untied", untied, tensors)).catch((e: unknown) => e);
    expect((error as WeightSetMismatchError).missing).toEqual(["lm_head.weight"]);
  });
});

describe.skipIf(!HAS_HF_ORACLE)(
  `the transformers tiny-llama checkpoints ${HAS_HF_ORACLE ? "" : HF_ORACLE_SKIP_REASON}`,
  () => {
    it("loads the float32 and the bf16 checkpoint with the same names and shapes", async () => {
      const f32 = await loadDecoderCheckpoint(oraclePath("tiny-llama", "model"));
      const bf16 = await loadDecoderCheckpoint(oraclePath("tiny-llama", "model-bf16"));
      expect(f32.weights.size).toBe(21);
      expect(f32.weights.get("model.layers.1.self_attn.k_proj.weight")!.shape).toEqual([32, 64]);
      expect([...bf16.weights.keys()]).toEqual([...f32.weights.keys()]);
      const w = f32.weights.get("lm_head.weight")!.data;
      const r = bf16.weights.get("lm_head.weight")!.data;
      let worst = 0;
      for (let i = 0; i < w.length; i++)
        worst = Math.max(worst, Math.abs(w[i] - r[i]) / Math.max(Math.abs(w[i]), 1e-30));
      expect(worst).toBeLessThanOrEqual(2 ** -8);
      expect(worst).toBeGreaterThan(0);
    });
  },
);
