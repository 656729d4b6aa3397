/**
 * Adding a defense is one module and one registry line. This test is that exercise: `repeat_examples`, a
 * trivial defense (train on every epoch's examples `times` times), defined entirely here — schema with its
 * default, plan, preparation with a data-schedule hook, and report — and registered only in this test's
 * registries. It then goes through the same validation, planning, preparation and training as the built-in
 * defenses.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { buildJobConfig } from "../../core/jobs/job-config.ts";
import { safeguardSchemasOf } from "../../core/safeguards/safeguard-config.ts";
import { defineSafeguard } from "../../core/safeguards/safeguard-definition.ts";
import { SAFEGUARD_DEFINITIONS } from "../../core/safeguards/safeguard-registry.ts";
import { encodeChat, type ChatMessage, type LoraSettings } from "../models/index.ts";
import { trainAdapter } from "../training/train-adapter.ts";
import type { Defense } from "./defense.ts";
import { DEFENSES } from "./defense-registry.ts";
import { prepareSafeguards, type SafeguardProgress } from "./prepare-safeguards.ts";
import { loadTinyModel, type TinyModel } from "./test-support.ts";

// ---- the defense: schema half (what core/safeguards/defenses/<name>.ts would hold) ----
const repeatExamplesSafeguard = defineSafeguard({
  type: "repeat_examples",
  schema: z.strictObject({
    type: z.literal("repeat_examples"),
    times: z.number().int().min(1).max(10).default(2),
  }),
  title: "train on every epoch's examples several times",
  defaultsSource: "a test fixture: twice, so that the effect is visible",
});
type RepeatExamples = z.infer<typeof repeatExamplesSafeguard.schema>;

// ---- the defense: runtime half (what gpu-runner/safeguards/defenses/<name>.ts would hold) ----
const repeatExamplesDefense: Defense<RepeatExamples> = {
  type: "repeat_examples",
  plan: (s) => ({
    type: "repeat_examples",
    summary: `repeat_examples: every epoch's examples ${s.times} times`,
    prepare: async (ctx) => ({
      schedule: ({ examples }) => Array.from({ length: s.times }, () => examples).flat(),
      report: { times: s.times, examples: ctx.examples.length },
    }),
  }),
};

// ---- the registry lines (in the product: one line in each registry) ----
const schemas = safeguardSchemasOf([...SAFEGUARD_DEFINITIONS, repeatExamplesSafeguard]);
const registry = new Map([...DEFENSES, ["repeat_examples", repeatExamplesDefense as Defense]]);

let model: TinyModel;
beforeAll(async () => {
  model = await loadTinyModel();
});

const lora: LoraSettings = {
  r: 4,
  alpha: 8,
  useRslora: false,
  dropout: 0,
  targetModules: ["q_proj"],
  layersToTransform: null,
};
const conversations: ChatMessage[][] = Array.from({ length: 8 }, (_, i) => [
  { role: "user", content: `Count to ${i}.` },
  { role: "assistant", content: Array.from({ length: i + 1 }, (_, k) => k).join(" ") },
]);
const events: { type: string; message: string }[] = [];
const progress: SafeguardProgress = {
  event: async (e) => void events.push(e),
  stage: (_name, _message, fn) => fn(),
};

describe("a defense written in one place", () => {
  it("is validated with its default, combined with built-in defenses, and refused twice", () => {
    expect(schemas.list.parse([{ type: "repeat_examples" }, { type: "kl" }])).toEqual([
      { type: "repeat_examples", times: 2 },
      { type: "kl", lambda: 0.1, direction: "theta_ref", positions: "all_non_pad" },
    ]);
    const twice = schemas.list.safeParse([{ type: "repeat_examples" }, { type: "repeat_examples", times: 3 }]);
    expect(twice.error?.issues[0]).toMatchObject({ message: '"repeat_examples" appears twice (entries 0 and 1)' });
    expect(schemas.list.safeParse([{ type: "repeat_examples", times: 0 }]).error?.issues[0].path).toEqual([0, "times"]);
  });

  it("is planned, prepared, reported, and its hook changes what training sees", async () => {
    const safeguards = schemas.list.parse([{ type: "repeat_examples", times: 3 }, { type: "kl" }]);
    const config = buildJobConfig({ seed: 5 });
    const examples = conversations.map((c) => encodeChat(model.tokenizer, c));
    const prepared = await prepareSafeguards(
      { config, checkpoint: model.checkpoint, tokenizer: model.tokenizer, examples, conversations, lora, progress },
      { safeguards, registry },
    );
    expect(events.filter((e) => e.type === "safeguards.planned").map((e) => e.message)).toEqual([
      "repeat_examples: every epoch's examples 3 times",
      "kl: loss = CE + 0.1·KL(p_θ‖p_ref) over all_non_pad positions",
    ]);
    expect(prepared.plan.stages).toEqual(["training"]);
    expect(prepared.diagnostics.repeat_examples).toEqual({ times: 3, examples: 8 });
    const hyperparameters = { epochs: 1, batchSize: 4, lr: 1e-3, maxSeqLen: 64, seed: 5 };
    const train = (hooks: typeof prepared.hooks | object) =>
      trainAdapter({
        checkpoint: model.checkpoint,
        tokenizer: model.tokenizer,
        examples,
        lora,
        hyperparameters,
        ...hooks,
      });
    const plain = await train({});
    const guarded = await train(prepared.hooks);
    expect(plain.stepsDone).toBe(2); // 8 examples, batch 4
    expect(guarded.stepsDone).toBe(6); // three times as many
    expect(guarded.trainedTokens).toBe(3 * plain.trainedTokens);
  }, 120_000);
});
