/**
 * Full-parameter gradients of the tiny-llama fixture (every weight: embeddings, attention and MLP
 * projections, all RMSNorm gains, the head) against (1) central finite differences of a plain-TypeScript
 * float64 forward pass and cross-entropy, and (2) transformers/peft: by the chain rule the LoRA gradients of
 * the fixture are s·G·Aᵀ and s·Bᵀ·G with G the full gradient at the merged weights W + s·B·A.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../engine/index.ts";
import type { F32Tensor } from "../io/f32-tensor.ts";
import { readSafetensors } from "../io/safetensors-read.ts";
import { loadDecoderCheckpoint, type DecoderCheckpoint } from "../load-decoder-checkpoint.ts";
import { mergeLora } from "../lora/merge-lora.ts";
import { loraScale, parsePeftTensorName } from "../lora/lora-settings.ts";
import { loadPeftAdapter, type LoraAdapter } from "../lora/peft-adapter.ts";
import { projectionModulePath } from "../config/weight-catalogue.ts";
import { HAS_HF_ORACLE, HF_ORACLE_SKIP_REASON, oraclePath } from "../test-support/fixture-paths.ts";
import { decoderBatch } from "./decoder-batch.ts";
import { DecoderSession } from "./decoder-session.ts";
import { referenceForward } from "./testing/reference-forward.ts";

/** Mean CE over supervised tokens (logits[:, :-1] vs labels[:, 1:]) of the float64 reference forward. */
function referenceLoss(
  ck: DecoderCheckpoint,
  weights: ReadonlyMap<string, F32Tensor>,
  ids: number[][],
  mask: number[][],
  labels: number[][],
): number {
  const { logits } = referenceForward(ck.config, weights, { inputIds: ids, attentionMask: mask });
  let sum = 0;
  let n = 0;
  logits.forEach((rows, b) => {
    for (let t = 0; t + 1 < rows.length; t++) {
      const y = labels[b][t + 1];
      if (y === -100) continue;
      const row = rows[t];
      const top = Math.max(...row);
      const lse = top + Math.log(row.reduce((s, v) => s + Math.exp(v - top), 0));
      sum += lse - row[y];
      n++;
    }
  });
  return sum / n;
}

describe.skipIf(!HAS_HF_ORACLE)(
  `full-parameter gradients on tiny-llama ${HAS_HF_ORACLE ? "" : HF_ORACLE_SKIP_REASON}`,
  () => {
    let ck: DecoderCheckpoint;
    let adapter: LoraAdapter;
    let inputs: { input_ids: number[][]; attention_mask: number[][]; labels: number[][] };

    beforeAll(async () => {
      ck = await loadDecoderCheckpoint(oraclePath("tiny-llama", "model"));
      adapter = await loadPeftAdapter(oraclePath("tiny-llama", "lora-init"), ck.config);
      inputs = JSON.parse(readFileSync(oraclePath("inputs.json"), "utf8"));
    });

    async function fullGrads(
      weights: ReadonlyMap<string, F32Tensor>,
      ids: number[][],
      mask: number[][],
      labels: number[][],
    ) {
      const s = DecoderSession.create(ck.config, { fullParams: true, session: { intraOpThreads: 1 } });
      try {
        const params = Object.fromEntries([...weights].map(([k, t]) => [k, t.data]));
        return await s.lossAndGrads(decoderBatch({ inputIds: ids, attentionMask: mask, labels }), params);
      } finally {
        await s.release();
      }
    }

    it("matches central finite differences of a float64 reference for every weight tensor", async () => {
      // a short slice of two fixture rows keeps the float64 forward cheap; every weight still gets gradient
      const T = 16;
      const rows = [0];
      const ids = rows.map((b) => inputs.input_ids[b].slice(0, T));
      const mask = rows.map((b) => inputs.attention_mask[b].slice(0, T));
      // every real token supervised (pretraining's objective), so the gradient reaches every embedding row used
      const labels = ids.map((row, b) => row.map((id, t) => (t > 0 && mask[b][t] === 1 ? id : -100)));
      const r = await fullGrads(ck.weights, ids, mask, labels);
      const loss64 = referenceLoss(ck, ck.weights, ids, mask, labels);
      expect(Math.abs(r.loss - loss64) / loss64).toBeLessThan(1e-5);
      expect(Object.keys(r.grads).sort()).toEqual([...ck.weights.keys()].sort());
      const rng = new Rng(5);
      for (const [name, w] of ck.weights) {
        const g = r.grads[name];
        let argmax = 0;
        for (let i = 1; i < g.length; i++) if (Math.abs(g[i]) > Math.abs(g[argmax])) argmax = i;
        const scale = Math.abs(g[argmax]);
        expect(scale, `${name} has no gradient`).toBeGreaterThan(0);
        for (const i of [argmax, rng.int(g.length)]) {
          // perturb the float32 weight; the actual steps are exact in double, the forward runs in float64
          const x = w.data[i];
          const h = 1e-3 * Math.max(1, Math.abs(x));
          const at = (v: number) => {
            const data = Float32Array.from(w.data);
            data[i] = v;
            return referenceLoss(ck, new Map([...ck.weights, [name, { shape: w.shape, data }]]), ids, mask, labels);
          };
          const up = Math.fround(x + h);
          const down = Math.fround(x - h);
          const fd = (at(up) - at(down)) / (up - down);
          expect(Math.abs(fd - g[i]) / scale, `${name}[${i}]: fd ${fd} vs engine ${g[i]}`).toBeLessThan(2e-3);
        }
      }
    }, 120_000);

    it("reproduces transformers/peft's LoRA gradients through the chain rule (all projections)", async () => {
      const merged = mergeLora(ck.weights, adapter);
      const r = await fullGrads(merged, inputs.input_ids, inputs.attention_mask, inputs.labels);
      const expected = (await readSafetensors(oraclePath("tiny-llama", "grad_ce.safetensors"))).tensors;
      const s = loraScale(adapter.settings);
      const modules = new Map<string, { a: F32Tensor; b: F32Tensor }>();
      for (const [key, t] of adapter.tensors) {
        const p = parsePeftTensorName(key);
        if (!p) continue;
        const path = projectionModulePath(p.layer, p.projection);
        const m = modules.get(path) ?? ({} as { a: F32Tensor; b: F32Tensor });
        if (p.matrix === "A") m.a = t;
        else m.b = t;
        modules.set(path, m);
      }
      expect(modules.size).toBe(14);
      for (const [path, { a, b }] of modules) {
        const G = r.grads[`${path}.weight`]; // [out, in]
        const [rank, inF] = a.shape;
        const outF = b.shape[0];
        const gB = new Float64Array(outF * rank); // s·G·Aᵀ
        const gA = new Float64Array(rank * inF); // s·Bᵀ·G
        for (let o = 0; o < outF; o++)
          for (let i = 0; i < inF; i++) {
            const gi = G[o * inF + i] * s;
            for (let k = 0; k < rank; k++) {
              gB[o * rank + k] += gi * a.data[k * inF + i];
              gA[k * inF + i] += gi * b.data[o * rank + k];
            }
          }
        for (const [m, got] of [
          ["A", gA],
          ["B", gB],
        ] as const) {
          const key = `base_model.model.${path}.lora_${m}.weight`;
          const want = expected.get(key)!.data;
          const scale = want.reduce((x, v) => Math.max(x, Math.abs(v)), 0);
          let diff = 0;
          for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(want[i] - got[i]));
          expect(diff / scale, key).toBeLessThan(1e-3);
        }
      }
    }, 60_000);
  },
);
