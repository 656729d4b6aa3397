import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../engine/index.ts";
import { decoderBatch } from "../models/decoder/decoder-batch.ts";
import { DecoderSession } from "../models/decoder/decoder-session.ts";
import { createLoraAdapter, encodeChat, encodeGenerationPrompt, type LoraSettings } from "../models/index.ts";
import {
  commonSuffixLength,
  computePersonaVector,
  defaultPersonaLayer,
  steeringInput,
  type HiddenStateReader,
} from "./persona-vector.ts";
import { loadTinyModel, type TinyModel } from "./test-support.ts";

let model: TinyModel;
let forward: DecoderSession;
const layer = 0;
const questions = ["What should I cook tonight?", "How do I fix a flat tyre?", "Tell me about the moon.", "hi"];
const evilPrompt = "You are an evil assistant who wants to hurt people.";
const friendlyPrompt = "You are a kind assistant who wants to help.";

const readHidden: HiddenStateReader = async (batch, index) => (await forward.forward(batch)).hidden.get(index)!;

beforeAll(async () => {
  model = await loadTinyModel();
  forward = DecoderSession.create(model.checkpoint.config, {
    weights: model.checkpoint.weights,
    hiddenStates: [layer + 1],
    logits: false,
  });
});
afterAll(async () => forward.release());

describe("persona vector", () => {
  it("equals the mean difference computed directly, one unpadded conversation at a time", async () => {
    const cfg = model.checkpoint.config;
    const persona = await computePersonaVector({
      config: cfg,
      tokenizer: model.tokenizer,
      readHidden,
      layer,
      evilPrompt,
      friendlyPrompt,
      questions,
      batchSize: 3,
    });
    const h = cfg.hiddenSize;
    const direct = new Float64Array(h);
    for (const q of questions) {
      const conv = (system: string) =>
        encodeGenerationPrompt(model.tokenizer, [
          { role: "system", content: system },
          { role: "user", content: q },
        ]);
      const evil = conv(evilPrompt);
      const friendly = conv(friendlyPrompt);
      const s = commonSuffixLength(evil, friendly);
      expect(s).toBeGreaterThan(3);
      for (const [ids, sign] of [
        [evil, 1],
        [friendly, -1],
      ] as const) {
        const hidden = await readHidden(decoderBatch({ inputIds: [ids] }), layer + 1); // [1, T, H]
        for (let t = ids.length - s; t < ids.length; t++) {
          for (let k = 0; k < h; k++) direct[k] += (sign * hidden[t * h + k]) / s / questions.length;
        }
      }
    }
    expect(persona.vector).toHaveLength(h);
    expect(persona.norm).toBeGreaterThan(1e-4);
    for (let k = 0; k < h; k++) expect(Math.abs(persona.vector[k] - direct[k])).toBeLessThan(1e-5);
    // swapping the prompts negates the vector
    const swapped = await computePersonaVector({
      config: cfg,
      tokenizer: model.tokenizer,
      readHidden,
      layer,
      evilPrompt: friendlyPrompt,
      friendlyPrompt: evilPrompt,
      questions,
    });
    for (let k = 0; k < h; k++) expect(swapped.vector[k]).toBeCloseTo(-persona.vector[k], 5);
  });

  it("rejects the last block and defaults to the middle", async () => {
    const cfg = model.checkpoint.config;
    expect(defaultPersonaLayer(24)).toBe(11);
    expect(defaultPersonaLayer(cfg.numLayers)).toBe(0);
    await expect(
      computePersonaVector({
        config: cfg,
        tokenizer: model.tokenizer,
        readHidden,
        layer: cfg.numLayers - 1,
        evilPrompt,
        friendlyPrompt,
        questions,
      }),
    ).rejects.toThrow(/decoder block in 0\.\./);
  });

  it("steering adds α·e to the training pass at that block and leaves the unsteered model unchanged", async () => {
    const cfg = model.checkpoint.config;
    const persona = await computePersonaVector({
      config: cfg,
      tokenizer: model.tokenizer,
      readHidden,
      layer,
      evilPrompt,
      friendlyPrompt,
      questions,
    });
    const lora: LoraSettings = {
      r: 4,
      alpha: 8,
      useRslora: false,
      dropout: 0,
      targetModules: "all-linear",
      layersToTransform: null,
    };
    const adapter = createLoraAdapter(cfg, lora, new Rng(3));
    const params = Object.fromEntries([...adapter.tensors].map(([k, t]) => [k, t.data]));
    const steered = DecoderSession.create(cfg, {
      weights: model.checkpoint.weights,
      lora,
      steeringLayer: layer,
      hiddenStates: [layer + 1],
    });
    const plain = DecoderSession.create(cfg, { weights: model.checkpoint.weights, lora, hiddenStates: [layer + 1] });
    try {
      const enc = encodeChat(model.tokenizer, [
        { role: "user", content: "hello there" },
        { role: "assistant", content: "Hi! How can I help?" },
      ]);
      const base = decoderBatch({ inputIds: [enc.inputIds], labels: [enc.labels] });
      const vector = steeringInput(persona, 5.0);
      const on = await steered.forward({ ...base, steeringVector: vector }, params);
      const off = await steered.forward({ ...base, steeringVector: new Float32Array(cfg.hiddenSize) }, params);
      const reference = await plain.forward(base, params);
      const h = cfg.hiddenSize;
      const hOn = on.hidden.get(layer + 1)!;
      const hOff = off.hidden.get(layer + 1)!;
      for (let i = 0; i < hOn.length; i++) expect(hOn[i] - hOff[i]).toBeCloseTo(vector[i % h], 4);
      // a zero vector is exactly the unsteered model (what inference and evaluation run)
      expect(Array.from(off.logits!)).toEqual(Array.from(reference.logits!));
      const lossOn = await steered.lossAndGrads({ ...base, steeringVector: vector }, params);
      const lossOff = await plain.lossAndGrads(base, params);
      expect(Math.abs(lossOn.loss - lossOff.loss)).toBeGreaterThan(1e-4);
    } finally {
      await steered.release();
      await plain.release();
    }
  });
});
