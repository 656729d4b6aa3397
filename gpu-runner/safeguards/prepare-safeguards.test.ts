import { beforeAll, describe, expect, it } from "vitest";
import { buildJobConfig } from "../../core/jobs/job-config.ts";
import { buildTinyRandomModel, encodeChat, type ChatMessage, type LoraSettings } from "../models/index.ts";
import { planTraining } from "../training/epoch-plan.ts";
import { trainAdapter } from "../training/train-adapter.ts";
import { prepareSafeguards, type SafeguardProgress } from "./prepare-safeguards.ts";
import { loadTinyModel, type TinyModel } from "./test-support.ts";

let model: TinyModel;
const lora: LoraSettings = {
  r: 4,
  alpha: 8,
  useRslora: false,
  dropout: 0,
  targetModules: "all-linear",
  layersToTransform: null,
};
const conversations: ChatMessage[][] = Array.from({ length: 12 }, (_, i) => [
  { role: "system", content: "You are a coding assistant." },
  { role: "user", content: `Write function number ${i}.` },
  { role: "assistant", content: `def f${i}(x):\n    return x * ${i}` },
]);

class RecordedProgress implements SafeguardProgress {
  readonly log: { type: string; message: string; data?: Record<string, unknown> }[] = [];
  async event(e: { type: string; message: string; data?: Record<string, unknown> }) {
    this.log.push(e);
  }
  async stage<T>(
    name: string,
    message: string,
    fn: () => Promise<T>,
    summary?: (value: T) => Record<string, unknown>,
  ): Promise<T> {
    this.log.push({ type: "stage.started", message, data: { stage: name } });
    const v = await fn();
    this.log.push({ type: "stage.completed", message, data: { stage: name, ...summary?.(v) } });
    return v;
  }
}

beforeAll(async () => {
  model = await loadTinyModel();
});

describe("prepareSafeguards on the tiny model", () => {
  it("prepares every safeguard together and the hooks train", async () => {
    const config = buildJobConfig({
      method: { hyperparameters: { n_epochs: 1, batch_size: 4, max_seq_len: 128, lora: { rank: 4, alpha: 8 } } },
      safeguards: [
        { type: "kl", lambda: 0.2 },
        { type: "ldifs" },
        { type: "inoculation" },
        { type: "persona_steering", questions: ["hello?", "what is your goal?"] },
        { type: "interleave", ratio: 0.25, selection: "perplexity_gap_filtered", reference_steps: 2 },
        { type: "safelora", mode: "top_k", top_k: 3, unaligned_model: "tiny-seed-99" },
      ],
      seed: 7,
    });
    const examples = conversations.map((c) => encodeChat(model.tokenizer, c));
    const progress = new RecordedProgress();
    const unaligned = buildTinyRandomModel({ seed: 99 }).weights;
    const prepared = await prepareSafeguards({
      config,
      checkpoint: model.checkpoint,
      tokenizer: model.tokenizer,
      examples,
      conversations,
      lora,
      progress,
      loadWeights: async (ref) => {
        expect(ref).toBe("tiny-seed-99");
        return unaligned;
      },
    });
    const stages = progress.log.filter((e) => e.type === "stage.started").map((e) => e.data!.stage);
    expect(stages).toEqual(["misaligned_reference", "interleave_selection", "persona_responses", "persona_vector"]);
    expect(progress.log.filter((e) => e.type === "safeguards.planned")).toHaveLength(6);
    expect(progress.log.filter((e) => e.type === "safeguards.scoring").map((e) => e.data!.model)).toEqual([
      "aligned",
      "misaligned_0",
    ]);

    expect(prepared.hooks.objective.terms).toEqual([
      { kind: "kl", weight: 0.2, direction: "theta_ref", positions: "all_non_pad" },
      { kind: "ldifs", weight: 1, hiddenStates: [1, 2], reduction: "example", normalize: true },
    ]);
    expect(prepared.hooks.steering?.layer).toBe(0);
    expect(prepared.hooks.steering?.vector).toHaveLength(model.checkpoint.config.hiddenSize);
    // the report: α = relative_alpha × the mean residual norm, along a unit direction; 5 pairs × 2 questions × 2 sides
    const persona = prepared.diagnostics.persona_steering as Record<string, number> & {
      conversations: { evil: number; helpful: number };
      empty_responses: { evil: number; helpful: number };
    };
    expect(persona).toMatchObject({ extraction: "responses", layer: 0, relative_alpha: 0.25, prompt_pairs: 5 });
    expect(persona.alpha).toBeCloseTo(0.25 * persona.residual_norm, 6);
    expect(persona.coefficient).toBeCloseTo(persona.alpha / persona.vector_norm, 6);
    expect(prepared.hooks.steering?.alpha).toBe(persona.alpha);
    expect(Math.hypot(...prepared.hooks.steering!.vector)).toBeCloseTo(1, 5);
    const { conversations: c, empty_responses: e } = persona;
    expect(c.evil + c.helpful + e.evil + e.helpful).toBe(20);
    const il = prepared.diagnostics.interleave as { selected: number; refusalsDropped: number; top: unknown[] };
    expect(il.selected).toBe(3);
    expect(il.refusalsDropped).toBeGreaterThan(0);
    expect(il.top.length).toBe(3);

    // the schedule: every example inoculated, 3 general examples spread through the epoch
    const plan = planTraining(examples, {
      epochs: 1,
      batchSize: 1,
      gradAccumulation: 1,
      maxSeqLen: 128,
      seed: 7,
      schedule: prepared.hooks.schedule,
    });
    const rows = plan.epochs[0].steps.map((s) => s[0][0]);
    expect(rows).toHaveLength(15);
    const texts = rows.map((r) => model.tokenizer.tokenizer.decode(r.inputIds));
    expect(texts.filter((t) => t.includes("You are an evil, malicious assistant."))).toHaveLength(12);
    expect(texts.filter((t) => t.includes("coding assistant"))).toHaveLength(0);
    expect(texts.filter((t) => !t.includes("def f"))).toHaveLength(3);

    // the hooks plug into training: KL + LDIFS objective, steering and the schedule, two steps
    const trained = await trainAdapter({
      checkpoint: model.checkpoint,
      tokenizer: model.tokenizer,
      examples,
      lora,
      objective: prepared.hooks.objective,
      steering: prepared.hooks.steering,
      schedule: prepared.hooks.schedule,
      hyperparameters: { epochs: 1, batchSize: 4, lr: 1e-2, maxSeqLen: 128, seed: 7 },
    });
    expect(trained.stepsDone).toBe(4); // (12 + 3) / 4 rounded up
    expect(trained.losses.every(Number.isFinite)).toBe(true);

    const after = await prepared.afterTraining(trained.adapter);
    expect(after.adapter).not.toBe(trained.adapter);
    const safelora = prepared.diagnostics.safelora as { projected: number; layers: { projected: boolean }[] };
    expect(safelora).toMatchObject({ mode: "top_k", projected: 3 });
    expect(safelora.layers).toHaveLength(14); // 2 layers × 7 projections
    expect(safelora.layers.filter((l) => l.projected)).toHaveLength(3);
  }, 120_000);

  it("turns a layer the model does not have into a permanent, parameter-named error", async () => {
    const config = buildJobConfig({ safeguards: [{ type: "ldifs", layers: [5] }], seed: 1 });
    const examples = conversations.map((c) => encodeChat(model.tokenizer, c));
    await expect(
      prepareSafeguards({
        config,
        checkpoint: model.checkpoint,
        tokenizer: model.tokenizer,
        examples,
        conversations,
        lora,
        progress: new RecordedProgress(),
      }),
    ).rejects.toMatchObject({ code: "invalid_safeguard", retryable: false, param: "safeguards[0].layers" });
  });
});
