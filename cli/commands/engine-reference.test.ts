import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../gpu-runner/engine/index.ts";
import {
  createLoraAdapter,
  expectedWeights,
  parseDecoderConfig,
  readSafetensors,
  savePeftAdapter,
  writeSafetensors,
  type F32Tensor,
} from "../../gpu-runner/models/index.ts";
import { randomWeights } from "../../gpu-runner/models/decoder/testing/reference-forward.ts";
import {
  HAS_HF_ORACLE,
  HF_ORACLE_SKIP_REASON,
  oraclePath,
} from "../../gpu-runner/models/test-support/fixture-paths.ts";
import { TEST_EP } from "../../gpu-runner/engine/testing/test-ep.ts";
import { engineCommand } from "./engine-reference.ts";

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const relErr = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const readJson = async (path: string) => JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "engine-reference-"));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe("guardtune engine reference: arguments", () => {
  it("refuses missing and unknown arguments with exit code 2", async () => {
    expect(await engineCommand(["reference", "--model", "m"])).toBe(2);
    expect(await engineCommand(["reference", "--model", "m", "--inputs", "i", "--out", "o", "--grads", "ce,xyz"])).toBe(
      2,
    );
    expect(await engineCommand(["reference", "--model", "m", "--inputs", "i", "--out", "o", "--grads", "ce"])).toBe(2); // needs --adapter
    expect(await engineCommand(["other"])).toBe(2);
    expect(await engineCommand(["reference", "--model", "m", "--inputs", "i", "--out", "o", "--ep", "cuda"])).toBe(2);
  });
});

describe.skipIf(!HAS_HF_ORACLE)(
  `guardtune engine reference on the tiny-llama fixture ${HAS_HF_ORACLE ? "" : HF_ORACLE_SKIP_REASON}`,
  () => {
    it("writes every file and key of the transformers fixture, within its tolerances", async () => {
      const out = join(dir, "fixture");
      const code = await engineCommand([
        "reference",
        "--model",
        oraclePath("tiny-llama", "model"),
        "--inputs",
        oraclePath("inputs.json"),
        "--adapter",
        oraclePath("tiny-llama", "lora-init"),
        "--grads",
        "ce,kl_theta_ref,kl_ref_theta,ldifs",
        "--adamw-steps",
        "5",
        "--lr",
        "1e-2",
        "--weight-decay",
        "0.01",
        "--greedy",
        "16",
        "--threads",
        "1",
        "--ep",
        TEST_EP,
        "--out",
        out,
      ]);
      expect(code).toBe(0);
      const ours = (await readSafetensors(join(out, "reference.safetensors"))).tensors;
      const theirs = (await readSafetensors(oraclePath("tiny-llama", "reference.safetensors"))).tensors;
      for (const key of ["logits", "hidden_0", "hidden_1", "hidden_2", "lora_logits"]) {
        expect(ours.get(key)!.shape, key).toEqual(theirs.get(key)!.shape);
        expect(maxAbsDiff(ours.get(key)!.data, theirs.get(key)!.data), key).toBeLessThan(1e-4);
      }
      for (const name of ["ce", "kl_theta_ref", "kl_ref_theta", "ldifs", "lora_after_5_adamw"]) {
        const file = name.startsWith("lora_after") ? `${name}.safetensors` : `grad_${name}.safetensors`;
        const a = (await readSafetensors(join(out, file))).tensors;
        const b = (await readSafetensors(oraclePath("tiny-llama", file))).tensors;
        expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
        for (const [key, t] of b)
          expect(maxAbsDiff(a.get(key)!.data, t.data) / maxAbs(t.data), `${file} ${key}`).toBeLessThan(1e-3);
      }
      const json = await readJson(join(out, "reference.json"));
      const oracle = await readJson(oraclePath("tiny-llama", "reference.json"));
      for (const key of ["loss", "lora_ce", "kl_theta_ref", "kl_ref_theta", "ldifs_sum_layers_mean_tokens"]) {
        expect(relErr(json[key] as number, oracle[key] as number), key).toBeLessThan(1e-5);
      }
      (oracle.per_example_loss as number[]).forEach((v, i) =>
        expect(relErr((json.per_example_loss as number[])[i], v)).toBeLessThan(1e-5),
      );
      const adamw = json.adamw as { losses_before_each_step: number[] };
      (oracle.adamw as typeof adamw).losses_before_each_step.forEach((v, i) =>
        expect(relErr(adamw.losses_before_each_step[i], v)).toBeLessThan(1e-5),
      );
      expect(json.greedy).toEqual(oracle.greedy);
    }, 240_000); // 48 greedy forwards and 9 training graphs: about a minute on a software Vulkan driver
  },
);

describe("guardtune engine reference on a generated tiny Qwen2 model in bf16 (no fixtures needed)", () => {
  it("writes consistent outputs: CE from the written logits, PEFT-named gradients, AdamW and greedy", async () => {
    const model = join(dir, "tiny-qwen2");
    await mkdir(model, { recursive: true });
    const qwen2 = {
      architectures: ["Qwen2ForCausalLM"],
      model_type: "qwen2",
      hidden_size: 32,
      intermediate_size: 48,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      vocab_size: 96,
      rms_norm_eps: 1e-6,
      rope_theta: 1e6,
      tie_word_embeddings: true,
      eos_token_id: 2,
      pad_token_id: 0,
    };
    await writeFile(join(model, "config.json"), JSON.stringify(qwen2));
    const config = parseDecoderConfig(qwen2);
    const weightRandom = new Rng(4);
    await writeSafetensors(
      join(model, "model.safetensors"),
      randomWeights(expectedWeights(config), () => weightRandom.normal()),
      { dtype: "BF16" },
    );
    const adapter = createLoraAdapter(
      config,
      { r: 2, alpha: 4, useRslora: true, dropout: 0, targetModules: ["k_proj", "up_proj"], layersToTransform: null },
      new Rng(5),
    );
    const random = new Rng(6);
    for (const t of adapter.tensors.values()) for (let i = 0; i < t.data.length; i++) t.data[i] = random.normal() * 0.2;
    await savePeftAdapter(join(dir, "adapter"), adapter);
    const inputIds = [
      [1, 40, 41, 42, 2, 1, 50, 51, 52, 2],
      [1, 60, 61, 2, 1, 70, 71, 0, 0, 0],
    ];
    const attentionMask = [
      [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
      [1, 1, 1, 1, 1, 1, 1, 0, 0, 0],
    ];
    const labels = [
      [-100, -100, -100, -100, -100, -100, 50, 51, 52, 2],
      [-100, -100, -100, -100, -100, 70, 71, -100, -100, -100],
    ];
    await writeFile(
      join(dir, "inputs.json"),
      JSON.stringify({ input_ids: inputIds, attention_mask: attentionMask, labels }),
    );
    const out = join(dir, "tiny-out");
    const code = await engineCommand([
      "reference",
      "--model",
      model,
      "--inputs",
      join(dir, "inputs.json"),
      "--adapter",
      join(dir, "adapter"),
      "--grads",
      "ce,ldifs",
      "--adamw-steps",
      "2",
      "--greedy",
      "3",
      "--threads",
      "1",
      "--out",
      out,
    ]);
    expect(code).toBe(0);
    const tensors = (await readSafetensors(join(out, "reference.safetensors"))).tensors;
    const V = config.vocabSize;
    expect(tensors.get("logits")!.shape).toEqual([2, 10, V]);
    expect([...tensors.keys()].sort()).toEqual(["hidden_0", "hidden_1", "hidden_2", "logits", "lora_logits"]);
    // CE recomputed here from the written logits: logits[:, :-1] against labels[:, 1:], mean over supervised tokens.
    const logits: F32Tensor = tensors.get("logits")!;
    let sum = 0,
      n = 0;
    labels.forEach((row, b) =>
      row.forEach((label, t) => {
        if (t === 0 || label === -100) return;
        const at = (b * 10 + t - 1) * V;
        const z = Math.log(Array.from(logits.data.subarray(at, at + V)).reduce((a, v) => a + Math.exp(v), 0));
        sum += z - logits.data[at + label];
        n++;
      }),
    );
    const json = await readJson(join(out, "reference.json"));
    expect(relErr(json.loss as number, sum / n)).toBeLessThan(1e-5);
    for (const name of ["ce", "ldifs"]) {
      const grads = (await readSafetensors(join(out, `grad_${name}.safetensors`))).tensors;
      expect([...grads.keys()].sort()).toEqual([...adapter.tensors.keys()].sort());
      for (const [key, g] of grads) expect(g.shape).toEqual(adapter.tensors.get(key)!.shape);
      expect(maxAbs([...grads.values()][0].data)).toBeGreaterThan(0);
    }
    const after = (await readSafetensors(join(out, "lora_after_2_adamw.safetensors"))).tensors;
    expect([...after.keys()].sort()).toEqual([...adapter.tensors.keys()].sort());
    const adamw = json.adamw as { losses_before_each_step: number[] };
    expect(adamw.losses_before_each_step).toHaveLength(2);
    expect(adamw.losses_before_each_step[0]).toBe(json.lora_ce);
    expect(json.greedy).toEqual([
      { prompt_ids: inputIds[0].slice(0, 6), generated_ids: expect.any(Array) as unknown },
      { prompt_ids: inputIds[1].slice(0, 5), generated_ids: expect.any(Array) as unknown },
    ]);
    for (const g of json.greedy as { generated_ids: number[] }[]) expect(g.generated_ids.length).toBeGreaterThan(0);
  });
});
