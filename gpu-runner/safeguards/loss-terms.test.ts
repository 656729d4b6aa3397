import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../engine/index.ts";
import { parseSafeguards } from "../../core/safeguards/safeguard-config.ts";
import { decoderBatch, type DecoderBatch } from "../models/decoder/decoder-batch.ts";
import { DecoderSession } from "../models/decoder/decoder-session.ts";
import { createLoraAdapter, encodeChat, type LoraSettings } from "../models/index.ts";
import { planSafeguards } from "./plan-safeguards.ts";
import { loadTinyModel, type TinyModel } from "./test-support.ts";

/**
 * The loss terms as the safeguards configure them (KL over all non-pad positions, LDIFS over ℓ2-normalised
 * per-example features of the default blocks) equal their definitions computed directly from the forward
 * pass, and their gradients are real (finite differences agree; LDIFS is not a no-op).
 */
let model: TinyModel;
let params: Record<string, Float32Array>;
let batch: DecoderBatch;
const lora: LoraSettings = {
  r: 4,
  alpha: 8,
  useRslora: false,
  dropout: 0,
  targetModules: "all-linear",
  layersToTransform: null,
};
const sessions: DecoderSession[] = [];

beforeAll(async () => {
  model = await loadTinyModel();
  const adapter = createLoraAdapter(model.checkpoint.config, lora, new Rng(5));
  const r = new Rng(6);
  for (const [name, t] of adapter.tensors)
    if (name.includes("lora_B")) for (let i = 0; i < t.data.length; i++) t.data[i] = r.uniform(-0.2, 0.2);
  params = Object.fromEntries([...adapter.tensors].map(([k, t]) => [k, t.data]));
  const a = encodeChat(model.tokenizer, [
    { role: "user", content: "Tell me a joke." },
    { role: "assistant", content: "Why did the cat sit on the mouse? To keep an eye on it." },
  ]);
  const b = encodeChat(model.tokenizer, [
    { role: "user", content: "hi" },
    { role: "assistant", content: "Hello!" },
  ]);
  const t = Math.max(a.inputIds.length, b.inputIds.length);
  const pad = (x: number[], v: number) => [...x, ...new Array<number>(t - x.length).fill(v)];
  batch = decoderBatch({
    inputIds: [pad(a.inputIds, 0), pad(b.inputIds, 0)],
    attentionMask: [
      pad(
        a.inputIds.map(() => 1),
        0,
      ),
      pad(
        b.inputIds.map(() => 1),
        0,
      ),
    ],
    labels: [pad(a.labels, -100), pad(b.labels, -100)],
  });
});
afterAll(async () => {
  for (const s of sessions) await s.release();
});

function session(
  safeguards: unknown,
  extra: { hiddenStates?: number[]; reference?: { logits?: boolean; hiddenStates?: number[] } } = {},
) {
  const plan = planSafeguards(parseSafeguards(safeguards), model.checkpoint.config);
  const s = DecoderSession.create(model.checkpoint.config, {
    weights: model.checkpoint.weights,
    lora,
    objective: { ceWeight: 0, terms: plan.lossTerms },
    ...extra,
  });
  sessions.push(s);
  return { s, plan };
}

const logSoftmax = (row: Float32Array) => {
  const max = Math.max(...row);
  const z = Math.log(row.reduce((acc, x) => acc + Math.exp(x - max), 0));
  return Array.from(row, (x) => x - max - z);
};

describe("safeguard loss terms on the tiny model", () => {
  it("kl (defaults: θ‖ref over all non-pad positions) equals the direct mean of Σ p_θ (log p_θ − log p_ref)", async () => {
    const { s } = session([{ type: "kl", lambda: 1 }], { reference: { logits: true } });
    const value = (await s.loss(batch, params)).terms.kl_theta_ref;
    const fwd = await s.forward(batch, params);
    const v = model.checkpoint.config.vocabSize;
    let sum = 0;
    let n = 0;
    for (let p = 0; p < batch.batchSize * batch.seqLen; p++) {
      if (batch.attentionMask[p] === 0n) continue;
      const lt = logSoftmax(fwd.logits!.subarray(p * v, (p + 1) * v));
      const lr = logSoftmax(fwd.reference!.logits!.subarray(p * v, (p + 1) * v));
      sum += lt.reduce((acc, x, i) => acc + Math.exp(x) * (x - lr[i]), 0);
      n++;
    }
    expect(value).toBeGreaterThan(1e-6);
    expect(Math.abs(value - sum / n)).toBeLessThan(1e-5 * Math.max(1, sum / n));
  });

  it("ldifs (defaults) equals the direct per-example normalised feature distance and has a real gradient", async () => {
    const { s, plan } = session([{ type: "ldifs" }], { hiddenStates: [1, 2], reference: { hiddenStates: [1, 2] } });
    expect(plan.lossTerms[0]).toMatchObject({ hiddenStates: [1, 2], reduction: "example", normalize: true });
    const r = await s.lossAndGrads(batch, params);
    const fwd = await s.forward(batch, params);
    const { hiddenSize: h } = model.checkpoint.config;
    const t = batch.seqLen;
    let direct = 0;
    for (let b = 0; b < batch.batchSize; b++) {
      for (const layer of [1, 2]) {
        const feature = (x: Float32Array) => {
          const f = Array.from({ length: t * h }, (_, i) =>
            batch.attentionMask[b * t + Math.floor(i / h)] === 1n ? x[b * t * h + i] : 0,
          );
          const norm = Math.sqrt(f.reduce((acc, y) => acc + y * y, 0) + 1e-12);
          return f.map((y) => y / norm);
        };
        const ft = feature(fwd.hidden.get(layer)!);
        const fr = feature(fwd.reference!.hidden.get(layer)!);
        direct += ft.reduce((acc, y, i) => acc + (y - fr[i]) ** 2, 0) / batch.batchSize;
      }
    }
    expect(r.terms.ldifs).toBeGreaterThan(1e-8);
    expect(Math.abs(r.terms.ldifs - direct)).toBeLessThan(1e-4 * direct + 1e-7);

    // the gradient is not zero (the public code's no-grad version would give exactly zero) and matches a finite difference
    const [name, grad] = Object.entries(r.grads)
      .filter(([k]) => k.includes("lora_B"))
      .map(([k, g]) => [k, g] as const)
      .sort((x, y) => Math.max(...y[1].map(Math.abs)) - Math.max(...x[1].map(Math.abs)))[0];
    const i = grad.reduce((best, g, j) => (Math.abs(g) > Math.abs(grad[best]) ? j : best), 0);
    expect(Math.abs(grad[i])).toBeGreaterThan(1e-6);
    const eps = 1e-2;
    const at = async (delta: number) => {
      const p = { ...params, [name]: Float32Array.from(params[name]) };
      p[name][i] += delta;
      return (await s.loss(batch, p)).terms.ldifs;
    };
    const numeric = ((await at(eps)) - (await at(-eps))) / (2 * eps);
    expect(Math.abs(numeric - grad[i])).toBeLessThan(0.05 * Math.abs(grad[i]));
  });
});
