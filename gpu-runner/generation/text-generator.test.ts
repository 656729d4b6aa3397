import { readFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { EngineSession, Graph, encodeModel, i64, Rng } from "../engine/index.ts";
import {
  encodeGenerationPrompt,
  expectedWeights,
  f32Tensor,
  loadDecoderCheckpoint,
  parseDecoderConfig,
  type DecoderCheckpoint,
  type F32Tensor,
  type LoraAdapter,
} from "../models/index.ts";
import { buildDecoderGraph } from "../models/decoder/decoder-graph.ts";
import { HAS_HF_ORACLE, HF_ORACLE_SKIP_REASON, oraclePath } from "../models/test-support/fixture-paths.ts";
import { loadTestModel, randomAdapter, TEST_LORA, type TestModel } from "../scoring/test-model.ts";
import { argmax } from "./sampling.ts";
import { TextGenerator } from "./text-generator.ts";

let model: TestModel;
let adapter: LoraAdapter;
let prompts: number[][];

/** Greedy continuation by recomputing the whole sequence each step (no cache) with the training forward graph. */
async function greedyByRecompute(
  checkpoint: DecoderCheckpoint,
  prompt: readonly number[],
  steps: number,
  lora?: LoraAdapter,
): Promise<number[]> {
  const g = new Graph("recompute");
  const d = buildDecoderGraph(g, checkpoint.config, {
    weights: checkpoint.weights,
    lora: lora ? TEST_LORA : undefined,
  });
  g.output(d.logits!, "logits");
  const session = await EngineSession.create(encodeModel(g));
  const feedsLora = lora
    ? Object.fromEntries(
        [...lora.tensors].map(([k, t]) => [k, { dtype: "float32" as const, dims: t.shape, data: t.data }]),
      )
    : {};
  const ids = [...prompt];
  const out: number[] = [];
  const v = checkpoint.config.vocabSize;
  for (let s = 0; s < steps; s++) {
    const logits = (
      await session.run(
        {
          input_ids: i64([1, ids.length], ids),
          attention_mask: i64(
            [1, ids.length],
            ids.map(() => 1),
          ),
          ...feedsLora,
        },
        ["logits"],
      )
    ).logits.data as Float32Array;
    const next = argmax(logits, (ids.length - 1) * v, v);
    out.push(next);
    ids.push(next);
  }
  await session.release();
  return out;
}

beforeAll(async () => {
  model = await loadTestModel();
  adapter = randomAdapter(model.checkpoint, 11);
  prompts = ["Hello there, how are you doing today?", "Name three colors.", "ok"].map((q) =>
    encodeGenerationPrompt(model.tokenizer, [{ role: "user", content: q }]),
  );
});

describe("TextGenerator", () => {
  const greedy = { maxNewTokens: 6, eosTokenIds: [], padTokenId: 0 };

  it("greedy with a KV cache and left padding equals argmax of a full recompute, with and without an adapter", async () => {
    for (const lora of [undefined, adapter]) {
      const gen = await TextGenerator.create(model.checkpoint.config, model.checkpoint.weights, {
        adapter: lora,
        session: { intraOpThreads: 2 },
      });
      const batched = await gen.generate(prompts, greedy);
      await gen.release();
      for (let i = 0; i < prompts.length; i++) {
        expect(batched[i].ids).toEqual(await greedyByRecompute(model.checkpoint, prompts[i], 6, lora));
        expect(batched[i].finishReason).toBe("length");
      }
    }
  });

  it("greedy within a buffer limit (vocabulary and MLP chunks) equals argmax of a full recompute", async () => {
    const gen = await TextGenerator.create(model.checkpoint.config, model.checkpoint.weights, {
      adapter,
      session: { intraOpThreads: 2 },
      // 16000 bytes: the 320 vocabulary rows in chunks of 62 (÷ 64 floats of H), the MLP (I = 176) in column
      // chunks of 100 and 76 (÷ 40 prefill tokens)
      layout: { bufferLimit: { bytes: 16000, maxTokens: 40 } },
    });
    const batched = await gen.generate(prompts, greedy);
    await gen.release();
    for (let i = 0; i < prompts.length; i++)
      expect(batched[i].ids).toEqual(await greedyByRecompute(model.checkpoint, prompts[i], 6, adapter));
  });

  it("stops a row at an end-of-sequence token and leaves it out (weights as external data)", async () => {
    const gen = await TextGenerator.create(model.checkpoint.config, model.checkpoint.weights, {
      externalWeights: true,
    });
    const [free] = await gen.generate([prompts[0]], greedy);
    const stopAt = free.ids[2];
    const [stopped] = await gen.generate([prompts[0]], { ...greedy, eosTokenIds: [stopAt] });
    expect(stopped.finishReason).toBe("eos");
    expect(stopped.ids).toEqual(free.ids.slice(0, free.ids.indexOf(stopAt)));
    await gen.release();
  });

  it("samples reproducibly from a seed; top-p near zero is greedy", async () => {
    const gen = await TextGenerator.create(model.checkpoint.config, model.checkpoint.weights);
    const sampling = { ...greedy, maxNewTokens: 12, temperature: 1.5, topP: 0.95 };
    const a = await gen.generate(prompts, { ...sampling, seed: 1 });
    const b = await gen.generate(prompts, { ...sampling, seed: 1 });
    const c = await gen.generate(prompts, { ...sampling, seed: 2 });
    expect(a).toEqual(b);
    expect(a.map((x) => x.ids)).not.toEqual(c.map((x) => x.ids));
    const nucleus = await gen.generate(prompts, { ...greedy, temperature: 1, topP: 1e-6, seed: 3 });
    expect(nucleus).toEqual(await gen.generate(prompts, greedy));
    await gen.release();
  });

  it("matches a full recompute for Qwen2 (q/k/v biases, tied embeddings) and Mistral (sliding window shorter than the prompt)", async () => {
    const base = {
      vocab_size: 320,
      hidden_size: 32,
      intermediate_size: 64,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      rms_norm_eps: 1e-6,
    };
    for (const raw of [
      { ...base, architectures: ["Qwen2ForCausalLM"], tie_word_embeddings: true, rope_theta: 1e6 },
      { ...base, architectures: ["MistralForCausalLM"], sliding_window: 5 },
    ]) {
      const config = parseDecoderConfig(raw);
      const random = new Rng(3);
      const weights = new Map<string, F32Tensor>();
      for (const [name, shape] of expectedWeights(config)) {
        const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
        for (let i = 0; i < data.length; i++) data[i] = name.endsWith("norm.weight") ? 1 : random.normal() * 0.3;
        weights.set(name, f32Tensor(shape, data));
      }
      const checkpoint: DecoderCheckpoint = { config, weights, dtypes: new Map() };
      const gen = await TextGenerator.create(config, weights);
      const out = await gen.generate(prompts, greedy);
      await gen.release();
      for (let i = 0; i < prompts.length; i++)
        expect(out[i].ids).toEqual(await greedyByRecompute(checkpoint, prompts[i], 6));
    }
  });

  it.skipIf(!HAS_HF_ORACLE)(
    `reproduces transformers' greedy ids on tiny-llama ${HAS_HF_ORACLE ? "" : HF_ORACLE_SKIP_REASON}`,
    async () => {
      const reference = JSON.parse(await readFile(oraclePath("tiny-llama", "reference.json"), "utf8")) as {
        greedy: { prompt_ids: number[]; generated_ids: number[] }[];
      };
      const checkpoint = await loadDecoderCheckpoint(oraclePath("tiny-llama", "model"));
      const gen = await TextGenerator.create(checkpoint.config, checkpoint.weights, { session: { intraOpThreads: 2 } });
      const out = await gen.generate(
        reference.greedy.map((r) => r.prompt_ids),
        { maxNewTokens: 16, eosTokenIds: [], padTokenId: 0 },
      );
      expect(out.map((o) => o.ids)).toEqual(reference.greedy.map((r) => r.generated_ids));
      await gen.release();
    },
  );
});
