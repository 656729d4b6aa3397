/**
 * The decoder graphs against transformers + peft golden values (tiny Llama, see the fixtures' README):
 * forward, losses, the four gradient sets and five AdamW steps.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdamW, addTrainingOutputs, Graph } from "../../engine/index.ts";
import { recordDeviation, TEST_EP, tolerance } from "../../engine/testing/test-ep.ts";
import type { F32Tensor } from "../io/f32-tensor.ts";
import { readSafetensors } from "../io/safetensors-read.ts";
import { loadDecoderCheckpoint, type DecoderCheckpoint } from "../load-decoder-checkpoint.ts";
import { mergeLora } from "../lora/merge-lora.ts";
import { loadPeftAdapter, type LoraAdapter } from "../lora/peft-adapter.ts";
import { HAS_HF_ORACLE, HF_ORACLE_SKIP_REASON, oraclePath } from "../test-support/fixture-paths.ts";
import { checkpointOptions } from "./checkpoint-options.ts";
import { decoderBatch, type DecoderBatch } from "./decoder-batch.ts";
import { buildLossGraph, type LossTerm } from "./decoder-losses.ts";
import { DecoderSession } from "./decoder-session.ts";

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const relErr = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/**
 * Tolerances per check: the fixture README's on the CPU EP; on WebGPU (float32 with its own reduction orders,
 * exp/log approximations and matmul tiling) the ones given second, measured on lavapipe with headroom.
 */
const TOL = {
  logits: tolerance(1e-4, 1e-4),
  loss: tolerance(1e-5, 1e-5),
  grads: tolerance(1e-3, 1e-3),
  adamwAdapter: tolerance(1e-4, 1e-4),
};
const SESSION = { intraOpThreads: 1, ep: TEST_EP } as const;

/** Records the deviation (for the run's tolerance report) and asserts it is within `allowed`. */
function expectWithin(check: string, deviation: number, allowed: number): void {
  recordDeviation(check, deviation, allowed);
  expect(deviation, check).toBeLessThan(allowed);
}

function expectGradsMatch(actual: Record<string, Float32Array>, expected: ReadonlyMap<string, F32Tensor>): void {
  expect(Object.keys(actual).sort()).toEqual([...expected.keys()].sort());
  for (const [name, t] of expected) {
    const scale = t.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(scale, `${name} is all zeros in the fixture`).toBeGreaterThan(0);
    expectWithin(`grad ${name}`, maxAbsDiff(actual[name], t.data) / scale, TOL.grads);
  }
}

describe.skipIf(!HAS_HF_ORACLE)(
  `decoder vs transformers/peft on tiny-llama ${HAS_HF_ORACLE ? "" : HF_ORACLE_SKIP_REASON}`,
  () => {
    let checkpoint: DecoderCheckpoint;
    let adapter: LoraAdapter;
    let batch: DecoderBatch;
    let expected: Map<string, F32Tensor>;
    let oracle: Record<string, number> & {
      per_example_loss: number[];
      adamw: {
        losses_before_each_step: number[];
        lr: number;
        weight_decay: number;
        eps: number;
        betas: [number, number];
      };
    };
    const sessions: DecoderSession[] = [];
    const session = (options: Parameters<typeof DecoderSession.create>[1]) => {
      const s = DecoderSession.create(checkpoint.config, {
        weights: checkpoint.weights,
        session: SESSION,
        ...options,
      });
      sessions.push(s);
      return s;
    };
    const adapterParams = () => Object.fromEntries([...adapter.tensors].map(([k, t]) => [k, t.data.slice()]));

    beforeAll(async () => {
      checkpoint = await loadDecoderCheckpoint(oraclePath("tiny-llama", "model"));
      adapter = await loadPeftAdapter(oraclePath("tiny-llama", "lora-init"), checkpoint.config);
      const inputs = JSON.parse(readFileSync(oraclePath("inputs.json"), "utf8")) as {
        input_ids: number[][];
        attention_mask: number[][];
        labels: number[][];
      };
      batch = decoderBatch({ inputIds: inputs.input_ids, attentionMask: inputs.attention_mask, labels: inputs.labels });
      expected = (await readSafetensors(oraclePath("tiny-llama", "reference.safetensors"))).tensors;
      oracle = JSON.parse(readFileSync(oraclePath("tiny-llama", "reference.json"), "utf8")) as typeof oracle;
    });
    afterAll(async () => Promise.all(sessions.map((s) => s.release())));

    it("logits, hidden states (HF output_hidden_states) and LoRA logits within 1e-4", async () => {
      const out = await session({
        lora: adapter.settings,
        reference: { logits: true, hiddenStates: [0, 1, 2] },
      }).forward(batch, adapterParams());
      expectWithin("logits", maxAbsDiff(out.reference!.logits!, expected.get("logits")!.data), TOL.logits);
      for (const i of [0, 1, 2])
        expectWithin(
          `hidden_${i}`,
          maxAbsDiff(out.reference!.hidden.get(i)!, expected.get(`hidden_${i}`)!.data),
          TOL.logits,
        );
      expectWithin("lora_logits", maxAbsDiff(out.logits!, expected.get("lora_logits")!.data), TOL.logits);
    });

    it("the bf16 checkpoint reproduces logits_from_bf16_weights", async () => {
      const bf16 = await loadDecoderCheckpoint(oraclePath("tiny-llama", "model-bf16"));
      expect(bf16.dtypes.get("model.embed_tokens.weight")).toBe("BF16");
      // transformers holds the rotary frequencies of a bf16 checkpoint in bf16 (ropeDtypeOf); the rest runs in float32.
      const s = DecoderSession.create(bf16.config, {
        ...checkpointOptions(bf16),
        weightStorage: "input",
        session: SESSION,
      });
      sessions.push(s);
      expectWithin(
        "logits_from_bf16_weights",
        maxAbsDiff((await s.forward(batch)).logits!, expected.get("logits_from_bf16_weights")!.data),
        TOL.logits,
      );
    });

    it("base loss and per-example losses within 1e-5 relative", async () => {
      const r = await session({}).loss(batch);
      expectWithin("loss", relErr(r.ce, oracle.loss), TOL.loss);
      oracle.per_example_loss.forEach((v, i) =>
        expectWithin(`per_example_loss ${i}`, relErr(r.perExampleCe[i], v), TOL.loss),
      );
    });

    const objectives: [string, string, LossTerm | undefined][] = [
      ["ce", "lora_ce", undefined],
      ["kl_theta_ref", "kl_theta_ref", { kind: "kl", weight: 1, direction: "theta_ref", positions: "supervised" }],
      ["kl_ref_theta", "kl_ref_theta", { kind: "kl", weight: 1, direction: "ref_theta", positions: "supervised" }],
      [
        "ldifs",
        "ldifs_sum_layers_mean_tokens",
        { kind: "ldifs", weight: 1, hiddenStates: [1, 2], reduction: "token_mean" },
      ],
    ];
    it.each(objectives)(
      "%s: value within 1e-5 relative, LoRA gradients within 1e-3 of each tensor's max-abs",
      async (name, key, term) => {
        const s = session({ lora: adapter.settings, objective: term ? { ceWeight: 0, terms: [term] } : {} });
        const r = await s.lossAndGrads(batch, adapterParams());
        expectWithin(key, relErr(r.loss, oracle[key]), TOL.loss);
        expectGradsMatch(
          r.grads,
          (await readSafetensors(oraclePath("tiny-llama", `grad_${name}.safetensors`))).tensors,
        );
        if (name === "ldifs") expect(Object.values(r.grads).some((g) => g.some((v) => v !== 0))).toBe(true);
      },
    );

    // A buffer limit of 17920 bytes for 64-token batches (70 float32 columns per token), as on an adapter whose
    // binding limit the embedding, the logits and the MLP activations exceed: the vocabulary (512 rows) in row
    // chunks of 70 (decoder-vocab), the MLP (I = 176) in column chunks of 70, 70, 36 (decoder-mlp), q/k/v and
    // gate/up not joined. The same checks within the same tolerances; the training graph of CE plus both KL
    // directions (with its gradients) has no tensor as wide as the vocabulary.
    it("within a buffer limit (vocabulary and MLP chunks, no joined projections): logits, losses, CE and KL LoRA gradients", async () => {
      const chunked = { bufferLimit: { bytes: 17920, maxTokens: 64 } };
      const out = await session({ ...chunked, lora: adapter.settings, reference: { logits: true } }).forward(
        batch,
        adapterParams(),
      );
      expectWithin("chunked logits", maxAbsDiff(out.reference!.logits!, expected.get("logits")!.data), TOL.logits);
      expectWithin("chunked lora_logits", maxAbsDiff(out.logits!, expected.get("lora_logits")!.data), TOL.logits);
      const base = await session(chunked).loss(batch);
      expectWithin("chunked loss", relErr(base.ce, oracle.loss), TOL.loss);
      oracle.per_example_loss.forEach((v, i) =>
        expectWithin(`chunked per_example_loss ${i}`, relErr(base.perExampleCe[i], v), TOL.loss),
      );
      for (const [name, key, term] of objectives.slice(0, 3)) {
        const s = session({
          ...chunked,
          lora: adapter.settings,
          objective: term ? { ceWeight: 0, terms: [term] } : {},
        });
        const r = await s.lossAndGrads(batch, adapterParams());
        expectWithin(`chunked ${key}`, relErr(r.loss, oracle[key]), TOL.loss);
        expectGradsMatch(
          r.grads,
          (await readSafetensors(oraclePath("tiny-llama", `grad_${name}.safetensors`))).tensors,
        );
      }
      const g = new Graph("widths");
      const kl = objectives.slice(1, 3).map(([, , t]) => t!);
      const lg = buildLossGraph(g, checkpoint.config, { ...chunked, lora: adapter.settings }, { terms: kl });
      addTrainingOutputs(g, lg.loss, [...lg.decoder.trainable.values()]);
      const V = checkpoint.config.vocabSize;
      const wide = g.nodes
        .flatMap((n) => n.outputs)
        .filter((t) => t.shape.some((d) => typeof d === "number" && d >= V));
      expect(g.nodes.length).toBeGreaterThan(100);
      expect(wide.map((t) => `${t.name} [${t.shape.join(", ")}]`)).toEqual([]);
    });

    it("five AdamW steps: the losses, the final adapter and the merged model's logits match", async () => {
      const { lr, weight_decay: weightDecay, eps, betas } = oracle.adamw;
      const s = session({ lora: adapter.settings });
      const params = adapterParams();
      const optimizer = new AdamW({ lr, weightDecay, eps, betas });
      for (const want of oracle.adamw.losses_before_each_step) {
        const r = await s.lossAndGrads(batch, params);
        expectWithin("adamw loss", relErr(r.loss, want), TOL.loss);
        optimizer.step(params, r.grads);
      }
      const after = (await readSafetensors(oraclePath("tiny-llama", "lora_after_5_adamw.safetensors"))).tensors;
      for (const [name, t] of after) {
        const scale = t.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        expectWithin(`adamw ${name}`, maxAbsDiff(params[name], t.data) / scale, TOL.adamwAdapter);
      }
      // The merged model amplifies the ~1e-6 adapter differences of two float32 trainings (≈300×), so the
      // merge is checked with the fixture's own trained adapter.
      const merged = DecoderSession.create(checkpoint.config, {
        weights: mergeLora(checkpoint.weights, { ...adapter, tensors: after }),
        session: SESSION,
      });
      sessions.push(merged);
      expectWithin(
        "merged_after_5_logits",
        maxAbsDiff((await merged.forward(batch)).logits!, expected.get("merged_after_5_logits")!.data),
        TOL.logits,
      );
    });
  },
);
