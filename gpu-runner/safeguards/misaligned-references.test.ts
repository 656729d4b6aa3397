import { Rng } from "../engine/index.ts";
import { beforeAll, describe, expect, it } from "vitest";
import { buildJobConfig } from "../../core/jobs/job-config.ts";
import type { SafeguardInput } from "../../core/safeguards/safeguard-config.ts";
import {
  createLoraAdapter,
  encodeChat,
  type ChatMessage,
  type LoraAdapter,
  type LoraSettings,
} from "../models/index.ts";
import type { LoadedReferenceKit, SafeguardLoaders } from "./defense.ts";
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
  { role: "user", content: `Write function number ${i}.` },
  { role: "assistant", content: `def f${i}(x):\n    return x * ${i}` },
]);

type Logged = { type: string; message: string; level?: string; data?: Record<string, unknown> };
class RecordedProgress implements SafeguardProgress {
  readonly log: Logged[] = [];
  async event(e: Logged) {
    this.log.push(e);
  }
  async stage<T>(name: string, message: string, fn: () => Promise<T>): Promise<T> {
    this.log.push({ type: "stage.started", message, data: { stage: name } });
    return fn();
  }
}

/** A LoRA adapter whose B is random too, so the adapted model differs from the base. */
function randomAdapter(seed: number): LoraAdapter {
  const random = new Rng(seed);
  const adapter = createLoraAdapter(model.checkpoint.config, lora, random);
  for (const [name, t] of adapter.tensors) {
    if (name.includes("lora_B")) for (let i = 0; i < t.data.length; i++) t.data[i] = random.uniform(-0.5, 0.5);
  }
  return adapter;
}

async function prepare(interleave: Omit<SafeguardInput & { type: "interleave" }, "type">, loaders: SafeguardLoaders) {
  const config = buildJobConfig({
    method: { hyperparameters: { n_epochs: 1, batch_size: 4, max_seq_len: 96, lora: { rank: 4, alpha: 8 } } },
    safeguards: [{ type: "interleave", selection: "perplexity_gap", candidates: 24, ...interleave }],
    seed: 5,
  });
  const progress = new RecordedProgress();
  const prepared = await prepareSafeguards({
    config,
    checkpoint: model.checkpoint,
    tokenizer: model.tokenizer,
    examples: conversations.map((c) => encodeChat(model.tokenizer, c)),
    conversations,
    lora,
    progress,
    ...loaders,
  });
  const stages = progress.log.filter((e) => e.type === "stage.started").map((e) => e.data!.stage);
  const scored = progress.log.filter((e) => e.type === "safeguards.scoring").map((e) => e.data!.model);
  const warnings = progress.log.filter((e) => e.type === "safeguards.warning");
  const report = prepared.diagnostics.interleave as { misaligned_references: Record<string, unknown> };
  return { log: progress.log, stages, scored, warnings, report };
}

beforeAll(async () => {
  model = await loadTinyModel();
});

describe("misaligned references of perplexity-gap selection", () => {
  it("`kit` scores with every adapter of the model's kit, the job's domain left out, and trains nothing", async () => {
    const asked: unknown[] = [];
    const kit: LoadedReferenceKit = {
      name: "tiny-em",
      source: "service",
      leftOut: ["code"],
      adapters: [
        { id: "ftjob_medical", domain: "medical", adapter: randomAdapter(1) },
        { id: "ftjob_finance", domain: "finance", adapter: randomAdapter(2) },
      ],
    };
    const r = await prepare(
      { held_out_domain: "code" },
      {
        loadReferenceKit: async (which, heldOut) => {
          asked.push([which, heldOut]);
          return kit;
        },
      },
    );
    expect(asked).toEqual([["kit", "code"]]);
    expect(r.stages).toEqual(["interleave_selection"]);
    expect(r.scored).toEqual(["aligned", "misaligned_0", "misaligned_1"]);
    expect(r.warnings).toEqual([]);
    const used = r.log.find((e) => e.type === "safeguards.references")!;
    expect(used.message).toContain("left out the job's own domain (code)");
    expect(used.data).toMatchObject({ kit: "tiny-em", domains: ["medical", "finance"], left_out: ["code"] });
    expect(r.report.misaligned_references).toEqual({
      source: "kit",
      kit: "tiny-em",
      domains: ["medical", "finance"],
      left_out: ["code"],
    });
  });

  it("without a kit, falls back to the forgetting gap with a warning that says it is not Interleaving+", async () => {
    const r = await prepare({ reference_steps: 1 }, { loadReferenceKit: async () => null });
    expect(r.stages).toEqual(["misaligned_reference", "interleave_selection"]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0].level).toBe("warn");
    expect(r.warnings[0].message).toContain("the base model has no reference kit");
    expect(r.warnings[0].message).toContain("This is not Interleaving+");
    expect(r.warnings[0].message).toContain("POST /v1/reference_kits");
    expect(r.report.misaligned_references).toMatchObject({ source: "forgetting_gap" });
  });

  it("falls back too when the kit has nothing outside the held-out domain", async () => {
    const r = await prepare(
      { reference_steps: 1, held_out_domain: "code" },
      { loadReferenceKit: async () => ({ name: "only-code", source: "service", leftOut: ["code"], adapters: [] }) },
    );
    expect(r.warnings[0].message).toContain("'only-code' has no adapter outside the held-out domain 'code'");
  });

  it.each(["forgetting_gap", "auto"])("`%s` trains the forgetting-gap reference and warns", async (refs) => {
    let asked = 0;
    const r = await prepare(
      { reference_steps: 1, misaligned_references: refs as "forgetting_gap" },
      {
        loadReferenceKit: async () => {
          asked++;
          return null;
        },
      },
    );
    expect(asked).toBe(0);
    expect(r.stages).toEqual(["misaligned_reference", "interleave_selection"]);
    expect(r.warnings[0].message).toContain(`misaligned_references is "${refs}"`);
  });

  it("warns when the selection takes half the usable candidates or more", async () => {
    const loadAdapter = async () => randomAdapter(3);
    // 12 training examples at ratio 1: 12 selected of 20 candidates (60 %), then of 24 (50 %), then of 25
    const of = async (candidates: number) =>
      (await prepare({ ratio: 1, candidates, misaligned_references: ["ftjob_ref"] }, { loadAdapter })).warnings;
    const [w20, w24, w25] = [await of(20), await of(24), await of(25)];
    expect(w20).toHaveLength(1);
    expect(w20[0].data).toMatchObject({ selected: 12, usable: 20, fraction: 0.6 });
    expect(w20[0].message).toContain("12 of 20 usable pool candidates (60 %)");
    expect(w24.map((w) => w.data!.fraction)).toEqual([0.5]);
    expect(w25).toEqual([]);
  });
});
