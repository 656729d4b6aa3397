import { beforeAll, describe, expect, it } from "vitest";
import { encodeChat, encodeSafetensors, type F32Tensor } from "../models/index.ts";
import { loadTestModel, TEST_LORA, type TestModel } from "../scoring/test-model.ts";
import { decodeTrainingCheckpoint, encodeTrainingCheckpoint, type TrainingCheckpoint } from "./checkpoint-state.ts";
import { trainAdapter, type TrainAdapterOptions } from "./train-adapter.ts";
import type { TrainingExample } from "./training-batch.ts";

let model: TestModel;
let examples: TrainingExample[];

const QA: [string, string][] = [
  ["What is two plus two?", "Four."],
  ["Name a color.", "Blue."],
  ["Say hello.", "Hello!"],
  ["What is the capital of Italy?", "Rome."],
  ["Is water wet?", "Yes, it is."],
  ["Count to three.", "One, two, three."],
  ["What do cats say?", "Meow."],
  ["Give me a fruit.", "An apple."],
];

const options = (overrides: Partial<TrainAdapterOptions> = {}): TrainAdapterOptions => ({
  checkpoint: model.checkpoint,
  tokenizer: model.tokenizer,
  examples,
  hyperparameters: { epochs: 2, batchSize: 4, lr: 1e-2, warmupSteps: 1, weightDecay: 0.01, maxSeqLen: 64, seed: 5 },
  lora: TEST_LORA,
  session: { intraOpThreads: 2 },
  ...overrides,
});

const adapterBytes = (tensors: ReadonlyMap<string, F32Tensor>) =>
  Buffer.from(encodeSafetensors(tensors)).toString("base64");

beforeAll(async () => {
  model = await loadTestModel();
  examples = QA.map(([q, a]) =>
    encodeChat(model.tokenizer, [
      { role: "user", content: q },
      { role: "assistant", content: a },
    ]),
  );
});

describe("trainAdapter", () => {
  it("lowers the loss on a tiny dataset and reports every step", async () => {
    const reports: number[] = [];
    const result = await trainAdapter(
      options({
        hyperparameters: { ...options().hyperparameters, epochs: 6 },
        onStep: (r) => void reports.push(r.step),
      }),
    );
    expect(result.totalSteps).toBe(12);
    expect(reports).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(result.losses.at(-1)!).toBeLessThan(result.losses[0] * 0.8);
    expect(result.trainedTokens).toBe(6 * examples.reduce((n, e) => n + e.inputIds.length, 0));
    expect([...result.adapter.tensors.keys()].filter((k) => k.includes("lora_B")).length).toBe(14);
  });

  it("resumes from a checkpoint (through bytes) to the same adapter bits as an uninterrupted run", async () => {
    const hp = { ...options().hyperparameters, epochs: 3, batchSize: 2 }; // 12 steps
    const full = await trainAdapter(options({ hyperparameters: hp }));
    const saved: TrainingCheckpoint[] = [];
    const first = await trainAdapter(
      options({ hyperparameters: hp, checkpointEvery: 5, saveCheckpoint: (s) => void saved.push(s) }),
    );
    expect(saved.map((s) => s.step)).toEqual([5, 10]);
    expect(adapterBytes(first.adapter.tensors)).toBe(adapterBytes(full.adapter.tensors));
    const state = decodeTrainingCheckpoint(encodeTrainingCheckpoint(saved[0]));
    const resumed = await trainAdapter(options({ hyperparameters: hp, resumeFrom: state }));
    expect(resumed.stepsDone).toBe(12);
    expect(resumed.losses).toEqual(full.losses);
    expect(resumed.trainedTokens).toBe(full.trainedTokens);
    expect(adapterBytes(resumed.adapter.tensors)).toBe(adapterBytes(full.adapter.tensors));
    await expect(trainAdapter(options({ hyperparameters: { ...hp, lr: 2e-2 }, resumeFrom: state }))).rejects.toThrow(
      /different data or hyperparameters/,
    );
  });

  it("stops at a step boundary when asked, and the returned state resumes exactly", async () => {
    const hp = { ...options().hyperparameters, batchSize: 2 }; // 8 steps
    const full = await trainAdapter(options({ hyperparameters: hp }));
    let steps = 0;
    const stopped = await trainAdapter(
      options({ hyperparameters: hp, onStep: () => void steps++, shouldStop: () => steps >= 3 }),
    );
    expect(stopped.stopped).toBe(true);
    expect(stopped.stepsDone).toBe(3);
    expect(stopped.losses).toHaveLength(3);
    const rest = await trainAdapter(options({ hyperparameters: hp, resumeFrom: stopped.checkpoint }));
    expect(adapterBytes(rest.adapter.tensors)).toBe(adapterBytes(full.adapter.tensors));
  });

  it("gradient accumulation of 2×2 equals batches of 4 within float tolerance", async () => {
    const hp = { ...options().hyperparameters, epochs: 1 };
    const big = await trainAdapter(options({ hyperparameters: { ...hp, batchSize: 4, gradAccumulation: 1 } }));
    const accumulated = await trainAdapter(options({ hyperparameters: { ...hp, batchSize: 2, gradAccumulation: 2 } }));
    expect(accumulated.totalSteps).toBe(big.totalSteps);
    accumulated.losses.forEach((l, i) => expect(l).toBeCloseTo(big.losses[i], 5));
    let maxDiff = 0;
    let maxAbs = 0;
    for (const [name, t] of big.adapter.tensors) {
      const other = accumulated.adapter.tensors.get(name)!;
      t.data.forEach((x, i) => {
        maxDiff = Math.max(maxDiff, Math.abs(x - other.data[i]));
        maxAbs = Math.max(maxAbs, Math.abs(x));
      });
    }
    expect(maxAbs).toBeGreaterThan(0);
    expect(maxDiff).toBeLessThan(1e-4 * maxAbs);
  });

  it("packs short examples into fewer, longer rows and counts truncation", async () => {
    const long = {
      inputIds: [...examples[0].inputIds, ...examples[1].inputIds, ...examples[2].inputIds],
      labels: [...examples[0].labels, ...examples[1].labels, ...examples[2].labels],
    };
    const maxLen = Math.max(...examples.map((e) => e.inputIds.length));
    expect(long.inputIds.length).toBeGreaterThan(2 * maxLen + 1);
    const hp = { ...options().hyperparameters, epochs: 1, batchSize: 1, maxSeqLen: 2 * maxLen + 1 };
    const plain = await trainAdapter(options({ examples: [...examples, long], hyperparameters: hp }));
    const packed = await trainAdapter(
      options({ examples: [...examples, long], hyperparameters: { ...hp, packing: true } }),
    );
    expect(plain.truncated).toBe(1);
    expect(packed.truncated).toBe(1);
    expect(plain.totalSteps).toBe(9);
    expect(packed.totalSteps).toBeLessThan(9);
    expect(packed.trainedTokens).toBe(plain.trainedTokens);
    expect(packed.losses.every(Number.isFinite)).toBe(true);
  });

  it("passes KL, steering and LoRA dropout through to the graph and reports the loss terms", async () => {
    const terms: Record<string, number>[] = [];
    const steering = { layer: 0, vector: new Float32Array(model.checkpoint.config.hiddenSize).fill(0.5), alpha: 2 };
    const result = await trainAdapter(
      options({
        lora: { ...TEST_LORA, dropout: 0.1 },
        objective: { terms: [{ kind: "kl", weight: 0.1, direction: "theta_ref", positions: "all_non_pad" }] },
        steering,
        onStep: (r) => void terms.push({ ...r.terms }),
      }),
    );
    expect(terms).toHaveLength(result.totalSteps);
    expect(Object.keys(terms[0]).sort()).toEqual(["ce", "kl_theta_ref"]);
    // the reference pass is steered too: with the fresh adapter (B = 0) both passes agree and KL starts at zero;
    // it grows only as the adapter moves the model, not because of the steering
    expect(Math.abs(terms[0].kl_theta_ref)).toBeLessThan(1e-6);
    expect(terms.at(-1)!.kl_theta_ref).toBeGreaterThan(1e-6);
    expect(result.losses[0]).toBeCloseTo(terms[0].ce + 0.1 * terms[0].kl_theta_ref, 5);
  });
});
