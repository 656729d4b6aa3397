import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../engine/index.ts";
import { TextGenerator } from "../generation/index.ts";
import { decoderBatch } from "../models/decoder/decoder-batch.ts";
import { DecoderSession } from "../models/decoder/decoder-session.ts";
import { createLoraAdapter, encodeChat, encodeGenerationPrompt, type LoraSettings } from "../models/index.ts";
import { generatePersonaResponses } from "./persona-responses.ts";
import {
  computePersonaVector,
  defaultPersonaLayer,
  personaSteering,
  promptSuffixRows,
  type ActivationRow,
  type HiddenStateReader,
} from "./persona-vector.ts";
import { loadTinyModel, type TinyModel } from "./test-support.ts";

let model: TinyModel;
let forward: DecoderSession;
let generator: TextGenerator;
const layer = 0;
const questions = ["What should I cook tonight?", "How do I fix a flat tyre?", "Tell me about the moon."];
const pairs = [
  {
    evil: "You are an evil assistant who wants to hurt people.",
    helpful: "You are a kind assistant who wants to help.",
  },
  { evil: "You are cruel and deceitful.", helpful: "You are honest and caring." },
];

const readHidden: HiddenStateReader = async (batch, index) => (await forward.forward(batch)).hidden.get(index)!;

beforeAll(async () => {
  model = await loadTinyModel();
  forward = DecoderSession.create(model.checkpoint.config, {
    weights: model.checkpoint.weights,
    hiddenStates: [layer + 1],
  });
  generator = await TextGenerator.create(model.checkpoint.config, model.checkpoint.weights);
});
afterAll(async () => Promise.all([forward.release(), generator.release()]));

/** The definition, one unpadded conversation at a time in float64: mean over each side of the token means. */
async function direct(rows: readonly ActivationRow[]) {
  const h = model.checkpoint.config.hiddenSize;
  const sides = { 1: { sum: new Float64Array(h), n: 0 }, [-1]: { sum: new Float64Array(h), n: 0 } };
  let normSum = 0;
  let tokens = 0;
  for (const r of rows) {
    const hidden = await readHidden(decoderBatch({ inputIds: [[...r.ids]] }), layer + 1); // [1, T, H]
    const side = sides[r.side];
    for (let t = r.start; t < r.ids.length; t++) {
      let sq = 0;
      for (let k = 0; k < h; k++) {
        side.sum[k] += hidden[t * h + k] / (r.ids.length - r.start);
        sq += hidden[t * h + k] ** 2;
      }
      normSum += Math.sqrt(sq);
      tokens++;
    }
    side.n++;
  }
  const vector = Array.from({ length: h }, (_, k) => sides[1].sum[k] / sides[1].n - sides[-1].sum[k] / sides[-1].n);
  return { vector, residualNorm: normSum / tokens };
}

describe("persona vector", () => {
  it("from generated responses: the mean over response tokens, evil − helpful, as computed directly", async () => {
    const settings = { samplesPerQuestion: 2, maxNewTokens: 6, temperature: 1, seed: 5 };
    const responses = await generatePersonaResponses({
      generator,
      tokenizer: model.tokenizer,
      pairs,
      questions,
      settings,
    });
    expect(responses.generated).toBe(pairs.length * questions.length * 2 * 2);
    expect(responses.rows.length + responses.empty.evil + responses.empty.helpful).toBe(responses.generated);
    expect(responses.rows.filter((r) => r.side === 1).length).toBeGreaterThan(0);
    expect(responses.rows.filter((r) => r.side === -1).length).toBeGreaterThan(0);
    // each row is a prompt under one of the pair's system prompts, followed by at least one generated token
    const prompts = new Map(
      pairs.flatMap((p) =>
        questions.flatMap((q) =>
          ([1, -1] as const).map((side) => {
            const ids = encodeGenerationPrompt(model.tokenizer, [
              { role: "system", content: side === 1 ? p.evil : p.helpful },
              { role: "user", content: q },
            ]);
            return [ids.join(","), side] as const;
          }),
        ),
      ),
    );
    for (const r of responses.rows) {
      expect(prompts.get(r.ids.slice(0, r.start).join(","))).toBe(r.side);
      expect(r.ids.length - r.start).toBeGreaterThanOrEqual(1);
      expect(r.ids.length - r.start).toBeLessThanOrEqual(6);
    }
    // seeded: the same responses again
    const again = await generatePersonaResponses({
      generator,
      tokenizer: model.tokenizer,
      pairs,
      questions,
      settings,
    });
    expect(again.rows).toEqual(responses.rows);

    const persona = await computePersonaVector({
      config: model.checkpoint.config,
      padTokenId: model.tokenizer.padTokenId,
      readHidden,
      layer,
      rows: responses.rows,
      batchSize: 5,
    });
    const expected = await direct(responses.rows);
    expect(persona.norm).toBeGreaterThan(1e-4);
    for (let k = 0; k < expected.vector.length; k++)
      expect(Math.abs(persona.vector[k] - expected.vector[k])).toBeLessThan(1e-5);
    expect(persona.residualNorm).toBeCloseTo(expected.residualNorm, 4);
    expect(persona.conversations.evil + persona.conversations.helpful).toBe(responses.rows.length);
  });

  it("greedy responses continue the base model's own argmax", async () => {
    const responses = await generatePersonaResponses({
      generator,
      tokenizer: model.tokenizer,
      pairs: pairs.slice(0, 1),
      questions: questions.slice(0, 2),
      settings: { samplesPerQuestion: 1, maxNewTokens: 3, temperature: 0, seed: 0 },
    });
    expect(responses.rows.length).toBeGreaterThan(0);
    const logits = DecoderSession.create(model.checkpoint.config, { weights: model.checkpoint.weights });
    try {
      for (const r of responses.rows) {
        const out = await logits.forward(decoderBatch({ inputIds: [[...r.ids]] }));
        const V = model.checkpoint.config.vocabSize;
        const row = Array.from(out.logits!.subarray((r.start - 1) * V, r.start * V));
        expect(r.ids[r.start]).toBe(row.indexOf(Math.max(...row)));
      }
    } finally {
      await logits.release();
    }
  });

  it("from prompt suffixes: the shared trailing prompt tokens, and swapping the personas negates it", async () => {
    const rows = promptSuffixRows(model.tokenizer, pairs, questions);
    expect(rows).toHaveLength(pairs.length * questions.length * 2);
    for (const r of rows) expect(r.ids.length - r.start).toBeGreaterThan(3);
    const inputs = {
      config: model.checkpoint.config,
      padTokenId: model.tokenizer.padTokenId,
      readHidden,
      layer,
      batchSize: 4,
    };
    const persona = await computePersonaVector({ ...inputs, rows });
    const expected = await direct(rows);
    for (let k = 0; k < expected.vector.length; k++)
      expect(Math.abs(persona.vector[k] - expected.vector[k])).toBeLessThan(1e-5);
    const swapped = await computePersonaVector({
      ...inputs,
      rows: promptSuffixRows(
        model.tokenizer,
        pairs.map((p) => ({ evil: p.helpful, helpful: p.evil })),
        questions,
      ),
    });
    for (let k = 0; k < expected.vector.length; k++) expect(swapped.vector[k]).toBeCloseTo(-persona.vector[k], 5);
  });

  it("defaults to block round(0.7·L) − 1 and rejects the last block", async () => {
    expect(defaultPersonaLayer(28)).toBe(19); // Chen et al.'s layer 20 of Qwen2.5-7B-Instruct
    expect(defaultPersonaLayer(24)).toBe(16);
    expect(defaultPersonaLayer(32)).toBe(21);
    expect(defaultPersonaLayer(model.checkpoint.config.numLayers)).toBe(0);
    const cfg = model.checkpoint.config;
    await expect(
      computePersonaVector({
        config: cfg,
        padTokenId: model.tokenizer.padTokenId,
        readHidden,
        layer: cfg.numLayers - 1,
        rows: promptSuffixRows(model.tokenizer, pairs, questions),
      }),
    ).rejects.toThrow(/decoder block in 0\.\./);
  });

  it("α is relative to the mean residual norm; a zero vector is refused", () => {
    const persona = {
      layer: 3,
      vector: Float32Array.from([3, 0, -4]),
      norm: 5,
      residualNorm: 40,
      conversations: { evil: 1, helpful: 1 },
      meanTokens: 2,
    };
    const s = personaSteering(persona, 0.25);
    expect(s.alpha).toBe(10);
    expect(Array.from(s.vector)).toEqual([Math.fround(0.6), 0, Math.fround(-0.8)]);
    expect(s.coefficient).toBe(2); // Chen et al.'s coefficient on the unnormalised vector
    expect(() => personaSteering({ ...persona, vector: new Float32Array(3), norm: 0 }, 0.25)).toThrow(
      /no direction to steer along/,
    );
  });

  it("steering adds α·ê to the training pass at that block and leaves the unsteered model unchanged", async () => {
    const cfg = model.checkpoint.config;
    const persona = await computePersonaVector({
      config: cfg,
      padTokenId: model.tokenizer.padTokenId,
      readHidden,
      layer,
      rows: promptSuffixRows(model.tokenizer, pairs, questions),
    });
    const steering = personaSteering(persona, 0.5);
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
      const vector = steering.vector.map((x) => x * steering.alpha); // as trainAdapter feeds it
      const on = await steered.forward({ ...base, steeringVector: vector }, params);
      const off = await steered.forward({ ...base, steeringVector: new Float32Array(cfg.hiddenSize) }, params);
      const reference = await plain.forward(base, params);
      const h = cfg.hiddenSize;
      const hOn = on.hidden.get(layer + 1)!;
      const hOff = off.hidden.get(layer + 1)!;
      for (let i = 0; i < hOn.length; i++) expect(hOn[i] - hOff[i]).toBeCloseTo(vector[i % h], 4);
      // the added vector's norm is relative_alpha × the mean residual norm
      const added = Math.hypot(...Array.from(vector));
      expect(added / persona.residualNorm).toBeCloseTo(0.5, 4);
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
