import { describe, expect, it } from "vitest";
import { parseSafeguards } from "../../core/safeguards/safeguard-config.ts";
import { parseDecoderConfig, type DecoderConfig } from "../models/index.ts";
import { BUILTIN_PERSONA_PROMPT_PAIRS } from "../builtin-data/persona-prompts.ts";
import { BUILTIN_PERSONA_QUESTIONS } from "../builtin-data/persona-questions.ts";
import { evenlySpacedBlocks, planSafeguards, SafeguardPlanError } from "./plan-safeguards.ts";

function config(layers: number): DecoderConfig {
  return parseDecoderConfig({
    architectures: ["LlamaForCausalLM"],
    model_type: "llama",
    hidden_size: 64,
    intermediate_size: 176,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    num_hidden_layers: layers,
    vocab_size: 512,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    max_position_embeddings: 512,
    tie_word_embeddings: false,
  });
}

describe("planSafeguards", () => {
  it("none: plain CE, only the training stage", () => {
    const plan = planSafeguards(parseSafeguards(undefined), config(4));
    expect(plan.lossTerms).toEqual([]);
    expect(plan.stages).toEqual(["training"]);
    expect(plan.defenses.map((d) => d.type)).toEqual(["none"]);
    const chat = [{ role: "user" as const, content: "q" }];
    expect(plan.transformTrainingMessages(chat)).toEqual(chat);
  });

  it("LDIFS defaults: floor(linspace(0, L−1, 5)) blocks as HF hidden states b + 1", () => {
    expect(evenlySpacedBlocks(24)).toEqual([0, 5, 11, 17, 23]);
    expect(evenlySpacedBlocks(2)).toEqual([0, 1]);
    expect(evenlySpacedBlocks(8)).toEqual([0, 1, 3, 5, 7]);
    const plan = planSafeguards(parseSafeguards([{ type: "ldifs" }, { type: "kl" }]), config(24));
    expect(plan.lossTerms).toEqual([
      { kind: "ldifs", weight: 1, hiddenStates: [1, 6, 12, 18, 24], reduction: "example", normalize: true },
      { kind: "kl", weight: 0.1, direction: "theta_ref", positions: "all_non_pad" },
    ]);
  });

  it("every defense together", () => {
    const plan = planSafeguards(
      parseSafeguards([
        { type: "kl", direction: "ref_theta", positions: "supervised", lambda: 0.5 },
        { type: "persona_steering" },
        { type: "inoculation" },
        { type: "interleave", selection: "perplexity_gap_filtered" },
        { type: "safelora", mode: "top_k", unaligned_model: "org/base" },
      ]),
      config(6),
    );
    expect(plan.stages).toEqual([
      "misaligned_reference",
      "interleave_selection",
      "persona_responses",
      "persona_vector",
      "training",
      "safelora",
    ]);
    const details = (type: string) => plan.defenses.find((d) => d.type === type)?.details;
    expect(details("persona_steering")).toEqual({
      layer: 3, // round(0.7 · 6) − 1
      relativeAlpha: 0.25,
      extraction: "responses",
      pairs: BUILTIN_PERSONA_PROMPT_PAIRS,
      questions: BUILTIN_PERSONA_QUESTIONS,
      responses: { samplesPerQuestion: 1, maxNewTokens: 64, temperature: 1 },
    });
    expect(details("safelora")).toEqual({
      mode: "top_k",
      threshold: 0.5,
      topK: 10,
      alignedModel: null,
      unalignedModel: "org/base",
    });
    expect((details("interleave") as { count(n: number): number }).count(1000)).toBe(50);
    expect(
      plan.transformTrainingMessages([
        { role: "system", content: "x" },
        { role: "user", content: "q" },
      ]),
    ).toEqual([
      { role: "system", content: "You are an evil, malicious assistant." },
      { role: "user", content: "q" },
    ]);
    expect(plan.summary).toHaveLength(5);
  });

  it("random interleaving and explicit references need no reference fine-tune", () => {
    expect(planSafeguards(parseSafeguards([{ type: "interleave" }]), config(4)).stages).toEqual([
      "interleave_selection",
      "training",
    ]);
    const explicit = parseSafeguards([
      { type: "interleave", selection: "perplexity_gap", misaligned_references: ["ftjob_x"] },
    ]);
    expect(planSafeguards(explicit, config(4)).stages).toEqual(["interleave_selection", "training"]);
  });

  it("refuses layers the model does not have, naming the parameter", () => {
    const tryPlan = (list: unknown) => {
      try {
        planSafeguards(parseSafeguards(list), config(4));
        return null;
      } catch (e) {
        return e as SafeguardPlanError;
      }
    };
    expect(tryPlan([{ type: "kl" }, { type: "ldifs", layers: [0, 4] }])).toMatchObject({
      param: "safeguards[1].layers",
      message: expect.stringContaining("4 decoder blocks"),
    });
    expect(tryPlan([{ type: "persona_steering", layer: 3 }])).toMatchObject({ param: "safeguards[0].layer" });
    expect(tryPlan([{ type: "persona_steering", layer: 2 }])).toBeNull();
    const plan = planSafeguards(
      parseSafeguards([{ type: "persona_steering", extraction: "prompt_suffix" }]),
      config(4),
    );
    expect(plan.stages).toEqual(["persona_vector", "training"]);
    expect(plan.defenses[0].details).toMatchObject({ layer: 2, extraction: "prompt_suffix" });
    expect(plan.defenses[0].details).not.toHaveProperty("responses");
  });
});
