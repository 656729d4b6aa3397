import { afterAll, describe, expect, it } from "vitest";
import { Rng } from "../../engine/index.ts";
import { parseDecoderConfig, type DecoderConfig } from "../config/decoder-config.ts";
import { expectedWeights, projectionModulePath, projectionShape } from "../config/weight-catalogue.ts";
import type { F32Tensor } from "../io/f32-tensor.ts";
import { loraScale, loraTargets, peftTensorName, type LoraSettings } from "../lora/lora-settings.ts";
import { decoderBatch } from "./decoder-batch.ts";
import { DecoderSession, type DecoderSessionOptions } from "./decoder-session.ts";
import { randomWeights, referenceForward } from "./testing/reference-forward.ts";

/** Qwen2: q/k/v biases, tied embeddings, large theta. */
const qwen2 = parseDecoderConfig({
  architectures: ["Qwen2ForCausalLM"],
  hidden_size: 32,
  intermediate_size: 48,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  vocab_size: 40,
  rms_norm_eps: 1e-6,
  rope_theta: 1e6,
  tie_word_embeddings: true,
  max_position_embeddings: 64,
});
/** Mistral: a 3-token sliding window (shorter than the batch), one kv head, head_dim ≠ hidden / heads. */
const mistral = parseDecoderConfig({
  architectures: ["MistralForCausalLM"],
  hidden_size: 32,
  intermediate_size: 40,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 1,
  head_dim: 12,
  vocab_size: 36,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  sliding_window: 3,
  tie_word_embeddings: false,
  max_position_embeddings: 64,
});

const lora: LoraSettings = {
  r: 2,
  alpha: 4,
  useRslora: false,
  dropout: 0,
  targetModules: ["q_proj", "v_proj", "o_proj", "down_proj"],
  layersToTransform: null,
};
const ids = [
  [3, 7, 1, 9, 4, 11, 2],
  [5, 8, 2, 6, 13, 0, 0],
];
const mask = [
  [1, 1, 1, 1, 1, 1, 1],
  [1, 1, 1, 1, 1, 0, 0],
];
const labels = [
  [-100, -100, 1, 9, 4, 11, 2],
  [-100, -100, -100, 6, 13, -100, -100],
];
const batch = decoderBatch({ inputIds: ids, attentionMask: mask, labels });

function randomAdapter(
  cfg: DecoderConfig,
  rng: Rng,
  settings: LoraSettings,
  zeroB = false,
): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const t of loraTargets(settings, cfg)) {
    const { out: o, in: i } = projectionShape(cfg, t.projection);
    out[peftTensorName(t, "A")] = rng.normalArray(settings.r * i, 0.3);
    out[peftTensorName(t, "B")] = zeroB ? new Float32Array(o * settings.r) : rng.normalArray(o * settings.r, 0.3);
  }
  return out;
}

function referenceLora(cfg: DecoderConfig, params: Record<string, Float32Array>, settings: LoraSettings) {
  const modules = new Map<string, { a: F32Tensor; b: F32Tensor }>();
  for (const t of loraTargets(settings, cfg)) {
    const { out: o, in: i } = projectionShape(cfg, t.projection);
    modules.set(projectionModulePath(t.layer, t.projection), {
      a: { shape: [settings.r, i], data: params[peftTensorName(t, "A")] },
      b: { shape: [o, settings.r], data: params[peftTensorName(t, "B")] },
    });
  }
  return { modules, scale: loraScale(settings) };
}

const maxAbsDiff = (a: ArrayLike<number>, b: readonly number[]) =>
  b.reduce((m, v, i) => Math.max(m, Math.abs(v - a[i])), 0);
const sessions: DecoderSession[] = [];
const session = (cfg: DecoderConfig, options: DecoderSessionOptions) => {
  const s = DecoderSession.create(cfg, { session: { intraOpThreads: 1 }, ...options });
  sessions.push(s);
  return s;
};
afterAll(async () => Promise.all(sessions.map((s) => s.release())));

describe.each([
  ["Qwen2 (biases, tied embeddings)", qwen2, 1],
  ["Mistral (sliding window, head_dim override)", mistral, 2],
] as const)("%s forward against a plain TypeScript reference", (_, cfg, seed) => {
  const rng = new Rng(seed);
  const weights = randomWeights(expectedWeights(cfg), () => rng.normal());
  const params = randomAdapter(cfg, rng, lora);
  const steering = rng.normalArray(cfg.hiddenSize, 0.5);

  it("logits and every hidden state with LoRA and steering, and the adapter-off reference pass", async () => {
    const all = Array.from({ length: cfg.numLayers + 1 }, (_, i) => i);
    const s = session(cfg, {
      weights,
      lora,
      steeringLayer: 0,
      hiddenStates: all,
      reference: { logits: true, hiddenStates: all },
    });
    const out = await s.forward({ ...batch, steeringVector: steering }, params);
    const adapted = referenceForward(cfg, weights, {
      inputIds: ids,
      attentionMask: mask,
      lora: referenceLora(cfg, params, lora),
      steering: { layer: 0, vector: steering },
    });
    const base = referenceForward(cfg, weights, { inputIds: ids, attentionMask: mask });
    expect(maxAbsDiff(out.logits!, adapted.logits.flat(2))).toBeLessThan(1e-4);
    expect(maxAbsDiff(out.reference!.logits!, base.logits.flat(2))).toBeLessThan(1e-4);
    for (const i of all) {
      expect(maxAbsDiff(out.hidden.get(i)!, adapted.hidden[i].flat(2)), `hidden ${i}`).toBeLessThan(1e-4);
      expect(maxAbsDiff(out.reference!.hidden.get(i)!, base.hidden[i].flat(2)), `reference hidden ${i}`).toBeLessThan(
        1e-4,
      );
    }
    // The adapter and the steering vector change the adapted pass only.
    expect(maxAbsDiff(out.logits!, base.logits.flat(2))).toBeGreaterThan(1e-2);
  });
});

describe("loss variants against values computed from the forward outputs", () => {
  const rng = new Rng(3);
  const weights = randomWeights(expectedWeights(qwen2), () => rng.normal());
  const params = randomAdapter(qwen2, rng, lora);

  it("KL over all non-pad positions (both directions) and per-example normalised LDIFS", async () => {
    const f = await session(qwen2, {
      weights,
      lora,
      hiddenStates: [1, 2],
      reference: { logits: true, hiddenStates: [1, 2] },
    }).forward(batch, params);
    const s = session(qwen2, {
      weights,
      lora,
      objective: {
        ceWeight: 1,
        terms: [
          { kind: "kl", weight: 0.5, direction: "theta_ref", positions: "all_non_pad" },
          { kind: "kl", weight: 0.25, direction: "ref_theta", positions: "all_non_pad" },
          { kind: "ldifs", weight: 2, hiddenStates: [1, 2], reduction: "example", normalize: true },
        ],
      },
    });
    const r = await s.loss(batch, params);
    const V = qwen2.vocabSize;
    const logSoftmax = (x: Float32Array, at: number) => {
      const row = Array.from(x.subarray(at * V, at * V + V));
      const m = Math.max(...row);
      const z = Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0)) + m;
      return row.map((v) => v - z);
    };
    let klTR = 0,
      klRT = 0,
      n = 0;
    mask.flat().forEach((m, at) => {
      if (m !== 1) return;
      const lt = logSoftmax(f.logits!, at),
        lr = logSoftmax(f.reference!.logits!, at);
      klTR += lt.reduce((a, v, i) => a + Math.exp(v) * (v - lr[i]), 0);
      klRT += lr.reduce((a, v, i) => a + Math.exp(v) * (v - lt[i]), 0);
      n++;
    });
    let ldifs = 0;
    const [T, H] = [ids[0].length, qwen2.hiddenSize];
    for (let b = 0; b < ids.length; b++) {
      for (const layer of [1, 2]) {
        const feat = (x: Float32Array) =>
          Array.from(x.subarray(b * T * H, (b + 1) * T * H), (v, i) => v * mask[b][Math.floor(i / H)]);
        const norm = (v: number[]) => {
          const z = Math.sqrt(v.reduce((a, c) => a + c * c, 0));
          return v.map((c) => c / z);
        };
        const ft = norm(feat(f.hidden.get(layer)!)),
          fr = norm(feat(f.reference!.hidden.get(layer)!));
        ldifs += ft.reduce((a, v, i) => a + (v - fr[i]) ** 2, 0) / ids.length;
      }
    }
    expect(r.terms.kl_theta_ref).toBeCloseTo(klTR / n, 5);
    expect(r.terms.kl_ref_theta).toBeCloseTo(klRT / n, 5);
    expect(r.terms.ldifs).toBeCloseTo(ldifs, 5);
    expect(r.loss).toBeCloseTo(r.ce + 0.5 * r.terms.kl_theta_ref + 0.25 * r.terms.kl_ref_theta + 2 * r.terms.ldifs, 4);
    expect(r.terms.ldifs).toBeGreaterThan(0);
  });

  it("a steered reference pass is the steered base model, and KL/LDIFS then start at zero with zero gradient", async () => {
    const steering = new Rng(11).normalArray(qwen2.hiddenSize, 0.5);
    const all = [0, 1, 2];
    const f = await session(qwen2, {
      weights,
      lora,
      steeringLayer: 0,
      steerReference: true,
      hiddenStates: all,
      reference: { logits: true, hiddenStates: all },
    }).forward({ ...batch, steeringVector: steering }, params);
    const steeredBase = referenceForward(qwen2, weights, {
      inputIds: ids,
      attentionMask: mask,
      steering: { layer: 0, vector: steering },
    });
    expect(maxAbsDiff(f.reference!.logits!, steeredBase.logits.flat(2))).toBeLessThan(1e-4);
    for (const i of all)
      expect(maxAbsDiff(f.reference!.hidden.get(i)!, steeredBase.hidden[i].flat(2)), `hidden ${i}`).toBeLessThan(1e-4);

    // An untouched adapter (B = 0): with the reference steered too the regularisers are zero and add no gradient,
    // so they do not pull the update against the steering; with an unsteered reference they do.
    const zeroB = randomAdapter(qwen2, new Rng(12), lora, true);
    const terms = [
      { kind: "kl", weight: 1, direction: "theta_ref", positions: "all_non_pad" },
      { kind: "ldifs", weight: 1, hiddenStates: [1, 2], reduction: "example", normalize: true },
    ] as const;
    const run = (objective: DecoderSessionOptions["objective"], steerReference: boolean) =>
      session(qwen2, { weights, lora, steeringLayer: 0, steerReference, objective }).lossAndGrads(
        { ...batch, steeringVector: steering },
        zeroB,
      );
    const ceOnly = await run({}, false);
    const steered = await run({ terms }, true);
    const unsteered = await run({ terms }, false);
    expect(Math.abs(steered.terms.kl_theta_ref)).toBeLessThan(1e-6);
    expect(Math.abs(steered.terms.ldifs)).toBeLessThan(1e-6);
    expect(unsteered.terms.kl_theta_ref).toBeGreaterThan(1e-3);
    expect(unsteered.terms.ldifs).toBeGreaterThan(1e-3);
    const gradGap = (r: { grads: Record<string, Float32Array> }) =>
      Math.max(...Object.keys(ceOnly.grads).map((k) => maxAbsDiff(r.grads[k], Array.from(ceOnly.grads[k]))));
    const scale = Math.max(...Object.values(ceOnly.grads).flatMap((g) => Array.from(g, Math.abs)));
    expect(gradGap(steered) / scale).toBeLessThan(1e-4);
    expect(gradGap(unsteered) / scale).toBeGreaterThan(1e-2);
  });

  it("full-parameter gradients agree with LoRA gradients (∂L/∂B = s · ∂L/∂W · Aᵀ at B = 0)", async () => {
    const full = await session(qwen2, { weights, fullParams: true }).lossAndGrads(
      batch,
      Object.fromEntries([...weights].map(([k, v]) => [k, v.data])),
    );
    const zeroB = randomAdapter(qwen2, new Rng(9), lora, true);
    const viaLora = await session(qwen2, { weights, lora }).lossAndGrads(batch, zeroB);
    expect(viaLora.loss).toBeCloseTo(full.loss, 6);
    expect(Object.keys(full.grads)).toContain("model.embed_tokens.weight"); // tied: gradient from embedding and head
    const s = loraScale(lora);
    for (const t of loraTargets(lora, qwen2)) {
      const { out: o, in: i } = projectionShape(qwen2, t.projection);
      const gW = full.grads[`${projectionModulePath(t.layer, t.projection)}.weight`];
      const a = zeroB[peftTensorName(t, "A")];
      const expected = Array.from({ length: o * lora.r }, (_, idx) => {
        const [row, k] = [Math.floor(idx / lora.r), idx % lora.r];
        let acc = 0;
        for (let c = 0; c < i; c++) acc += gW[row * i + c] * a[k * i + c];
        return s * acc;
      });
      const scale = Math.max(...expected.map(Math.abs));
      expect(maxAbsDiff(viaLora.grads[peftTensorName(t, "B")], expected) / scale).toBeLessThan(1e-3);
    }
  });

  it("LoRA dropout with a keep-mask of ones equals the adapter scaled by 1/(1 − p)", async () => {
    const dropped = { ...lora, dropout: 0.5 };
    const s = session(qwen2, { weights, lora: dropped });
    const masks = Object.fromEntries(
      [...loraTargets(dropped, qwen2)].map((t) => {
        const name = `lora_dropout.${projectionModulePath(t.layer, t.projection)}`;
        return [name, new Float32Array(ids.length * ids[0].length * projectionShape(qwen2, t.projection).in).fill(1)];
      }),
    );
    const withDropout = await s.loss({ ...batch, dropoutMasks: masks }, params);
    const doubled = await session(qwen2, { weights, lora: { ...lora, alpha: lora.alpha * 2 } }).loss(batch, params);
    expect(withDropout.loss).toBeCloseTo(doubled.loss, 5);
  });
});

describe("within a buffer limit", () => {
  it("vocabulary and MLP chunks give the unchunked loss and LoRA gradients, with dropout masks on every projection", async () => {
    const rng = new Rng(31);
    const weights = randomWeights(expectedWeights(qwen2), () => rng.normal());
    const all: LoraSettings = { ...lora, dropout: 0.3, targetModules: "all-linear" };
    const params = randomAdapter(qwen2, rng, all);
    const masks = Object.fromEntries(
      loraTargets(all, qwen2).map((t) => {
        const n = ids.length * ids[0].length * projectionShape(qwen2, t.projection).in;
        const keep = Float32Array.from({ length: n }, () => (rng.uniform() < 0.7 ? 1 : 0));
        return [`lora_dropout.${projectionModulePath(t.layer, t.projection)}`, keep];
      }),
    );
    const run = (options: Partial<DecoderSessionOptions>) =>
      session(qwen2, { weights, lora: all, ...options }).lossAndGrads({ ...batch, dropoutMasks: masks }, params);
    // 20 float32 columns per token at 32 tokens: vocabulary rows 20 + 20, MLP columns 20 + 20 + 8
    const [whole, chunked] = [await run({}), await run({ bufferLimit: { bytes: 2560, maxTokens: 32 } })];
    expect(Math.abs(chunked.loss - whole.loss) / whole.loss).toBeLessThan(1e-6);
    for (const [name, g] of Object.entries(whole.grads)) {
      const scale = g.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(scale, name).toBeGreaterThan(0);
      expect(maxAbsDiff(chunked.grads[name], [...g]) / scale, name).toBeLessThan(1e-5); // float32 summation order
    }
  });
});
