import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Rng } from "../../engine/index.ts";
import { loadDecoderConfig, parseDecoderConfig } from "../config/decoder-config.ts";
import { f32Tensor } from "../io/f32-tensor.ts";
import { ModelFileError, WeightSetMismatchError } from "../model-file-error.ts";
import { HAS_HF_ORACLE, HF_ORACLE_SKIP_REASON, oraclePath } from "../test-support/fixture-paths.ts";
import { loraScale, loraTargets, type LoraSettings } from "./lora-settings.ts";
import { parsePeftAdapterConfig, peftAdapterConfig } from "./peft-adapter-config.ts";
import { ADAPTER_WEIGHTS_FILE, createLoraAdapter, loadPeftAdapter, savePeftAdapter } from "./peft-adapter.ts";

const root = await mkdtemp(join(tmpdir(), "peft-adapter-"));
afterAll(() => rm(root, { recursive: true, force: true }));

const decoder = parseDecoderConfig({
  architectures: ["LlamaForCausalLM"],
  hidden_size: 64,
  intermediate_size: 176,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  num_hidden_layers: 2,
  vocab_size: 512,
  head_dim: 16,
});
const ALL = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];
const settings = (over: Partial<LoraSettings> = {}): LoraSettings => ({
  r: 4,
  alpha: 8,
  useRslora: false,
  dropout: 0,
  targetModules: ALL,
  layersToTransform: null,
  ...over,
});

describe("LoRA settings", () => {
  it("scales by alpha/r, or alpha/sqrt(r) with rsLoRA", () => {
    expect(loraScale(settings())).toBe(2);
    expect(loraScale(settings({ useRslora: true }))).toBe(4);
  });

  it("resolves target_modules lists, regular expressions, all-linear and layers_to_transform like peft", () => {
    expect(loraTargets(settings({ targetModules: ["q_proj", "v_proj"] }), decoder)).toHaveLength(4);
    expect(loraTargets(settings({ targetModules: ["self_attn.o_proj"] }), decoder).map((t) => t.projection)).toEqual([
      "o_proj",
      "o_proj",
    ]);
    expect(loraTargets(settings({ targetModules: "all-linear" }), decoder)).toHaveLength(14);
    const regex = loraTargets(settings({ targetModules: String.raw`model\.layers\.1\.mlp\.(gate|up)_proj` }), decoder);
    expect(regex).toEqual([
      { layer: 1, projection: "gate_proj" },
      { layer: 1, projection: "up_proj" },
    ]);
    expect(loraTargets(settings({ layersToTransform: [1] }), decoder).every((t) => t.layer === 1)).toBe(true);
  });

  it.each([
    ["use_dora", true],
    ["bias", "all"],
    ["rank_pattern", { q_proj: 8 }],
    ["modules_to_save", ["lm_head"]],
    ["peft_type", "IA3"],
  ])("refuses %s = %j", (key, value) => {
    const config = { ...peftAdapterConfig(settings()), [key]: value };
    expect(() => parsePeftAdapterConfig(config)).toThrow(ModelFileError);
  });
});

describe("created adapters", () => {
  it("start at B = 0 with A bounded by 1/sqrt(in), deterministic per seed, and load back with checks", async () => {
    const a1 = createLoraAdapter(decoder, settings({ targetModules: ["q_proj", "down_proj"] }), new Rng(7));
    const a2 = createLoraAdapter(decoder, settings({ targetModules: ["q_proj", "down_proj"] }), new Rng(7));
    const downA = a1.tensors.get("base_model.model.model.layers.1.mlp.down_proj.lora_A.weight")!;
    expect(downA.shape).toEqual([4, 176]);
    expect(Math.max(...downA.data.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(176));
    expect(
      a1.tensors.get("base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight")!.data.every((x) => x === 0),
    ).toBe(true);
    expect(downA.data).toEqual(a2.tensors.get("base_model.model.model.layers.1.mlp.down_proj.lora_A.weight")!.data);
    const dir = join(root, "created");
    await savePeftAdapter(dir, a1);
    const back = await loadPeftAdapter(dir, decoder);
    expect(back.settings).toEqual(a1.settings);
    expect(back.tensors.size).toBe(8);
  });

  it("lists missing, unexpected and wrong-rank tensors against the model", async () => {
    const adapter = createLoraAdapter(decoder, settings({ targetModules: ["q_proj"] }), new Rng(1));
    adapter.tensors.delete("base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight");
    adapter.tensors.set(
      "base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight",
      f32Tensor([4, 64], new Float32Array(256)),
    );
    adapter.tensors.set(
      "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
      f32Tensor([3, 64], new Float32Array(192)),
    );
    const dir = join(root, "broken");
    await savePeftAdapter(dir, adapter);
    const error = (await loadPeftAdapter(dir, decoder).catch((e: unknown) => e)) as WeightSetMismatchError;
    expect(error).toBeInstanceOf(WeightSetMismatchError);
    expect(error.missing).toEqual(["base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight"]);
    expect(error.unexpected).toEqual(["base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight"]);
    expect(error.wrongShape.map((m) => m.name)).toEqual([
      "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
    ]);
  });
});

describe.skipIf(!HAS_HF_ORACLE)(`the peft fixture adapter ${HAS_HF_ORACLE ? "" : HF_ORACLE_SKIP_REASON}`, () => {
  const fixtureDir = oraclePath("tiny-llama", "lora-init");

  it("writes exactly peft's field set, and the fixture's values for the fixture's settings", async () => {
    const fixture = JSON.parse(await readFile(join(fixtureDir, "adapter_config.json"), "utf8")) as Record<
      string,
      unknown
    >;
    const ours = peftAdapterConfig(parsePeftAdapterConfig(fixture));
    expect(Object.keys(ours)).toEqual(Object.keys(fixture).sort());
    expect(ours).toEqual(fixture);
    const fresh = peftAdapterConfig(settings());
    expect({ ...fresh, target_modules: [...(fresh.target_modules as string[])].sort() }).toEqual({
      ...fixture,
      target_modules: [...(fixture.target_modules as string[])].sort(),
    });
  });

  it("round-trips load -> save -> load with identical tensors, file bytes and config", async () => {
    const model = await loadDecoderConfig(oraclePath("tiny-llama", "model"));
    const adapter = await loadPeftAdapter(fixtureDir, model);
    expect(adapter.settings).toEqual({ ...settings(), targetModules: adapter.config.target_modules });
    expect(adapter.tensors.size).toBe(28);
    const dir = join(root, "roundtrip");
    await savePeftAdapter(dir, adapter);
    const back = await loadPeftAdapter(dir, model);
    expect(back.config).toEqual(adapter.config);
    expect([...back.tensors.keys()]).toEqual([...adapter.tensors.keys()]);
    for (const [name, t] of adapter.tensors) {
      expect(back.tensors.get(name)!.shape).toEqual(t.shape);
      expect(
        Buffer.from(back.tensors.get(name)!.data.buffer, back.tensors.get(name)!.data.byteOffset, t.data.byteLength),
      ).toEqual(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    }
    expect(await readFile(join(dir, ADAPTER_WEIGHTS_FILE))).toEqual(
      await readFile(join(fixtureDir, ADAPTER_WEIGHTS_FILE)),
    );
  });
});
