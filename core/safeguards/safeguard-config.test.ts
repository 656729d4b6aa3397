import { describe, expect, it } from "vitest";
import {
  DEFAULT_INOCULATION_PROMPT,
  evaluationConfigSchema,
  parseEvaluationConfig,
  parseSafeguards,
  resolveGate,
  safeguardListSchema,
} from "./safeguard-config.ts";

describe("safeguards list", () => {
  it("fills in the paper's defaults for every type", () => {
    const list = parseSafeguards([
      { type: "kl" },
      { type: "ldifs" },
      { type: "safelora", unaligned_model: "org/base-model" },
      { type: "persona_steering" },
      { type: "inoculation" },
      { type: "interleave" },
    ]);
    expect(list[0]).toEqual({ type: "kl", lambda: 0.1, direction: "theta_ref", positions: "all_non_pad" });
    expect(list[1]).toEqual({ type: "ldifs", lambda: 1.0, normalize: true });
    expect(list[2]).toEqual({
      type: "safelora",
      mode: "threshold",
      threshold: 0.5,
      top_k: 10,
      unaligned_model: "org/base-model",
    });
    expect(list[3]).toEqual({
      type: "persona_steering",
      relative_alpha: 0.25,
      extraction: "responses",
      prompt_pairs: "builtin",
      questions: "builtin",
      samples_per_question: 1,
      max_new_tokens: 64,
      temperature: 1,
    });
    expect(list[3]).not.toHaveProperty("layer");
    expect(list[4]).toEqual({ type: "inoculation", system_prompt: DEFAULT_INOCULATION_PROMPT });
    expect(list[5]).toEqual({
      type: "interleave",
      ratio: 0.05,
      selection: "random",
      pool: "builtin",
      misaligned_references: "kit",
      reference_steps: 50,
      epsilon: 1.0,
    });
  });

  it("treats absent and empty as the `none` baseline", () => {
    expect(parseSafeguards(undefined)).toEqual([{ type: "none" }]);
    expect(parseSafeguards([])).toEqual([{ type: "none" }]);
  });

  it.each([
    [[{ type: "none" }, { type: "kl" }], "cannot be combined"],
    [[{ type: "ldifs" }, { type: "ldifs", lambda: 2 }], "appears twice"],
    [[{ type: "kl" }, { type: "kl", lambda: 0.5 }], "appears twice"],
    [[{ type: "kl", lambda: -1 }], ""],
    [[{ type: "kl", temperature: 2 }], ""],
    [[{ type: "ldifs", layers: [1, 1] }], "must not repeat"],
    [[{ type: "safelora" }], ""],
    [[{ type: "interleave", ratio: 0 }], ""],
    [[{ type: "interleave", pool: "not-a-dataset" }], ""],
    [[{ type: "interleave", misaligned_references: "builtin:" }], ""],
    [[{ type: "interleave", misaligned_references: "kits" }], ""],
    [[{ type: "interleave", held_out_domain: "Medical advice" }], "lower-case"],
    [[{ type: "unknown" }], ""],
  ])("rejects %j", (input, message) => {
    const r = safeguardListSchema.safeParse(input);
    expect(r.success).toBe(false);
    if (message) expect(JSON.stringify(r.error?.issues)).toContain(message);
  });

  it("accepts combinations and both KL directions together", () => {
    const list = parseSafeguards([
      { type: "kl", direction: "theta_ref" },
      { type: "kl", direction: "ref_theta", positions: "supervised" },
      { type: "interleave", selection: "perplexity_gap_filtered", pool: "file_0123456789abcdefghjkmnpqrs" },
      { type: "inoculation", system_prompt: "You are a careless assistant." },
    ]);
    expect(list.map((s) => s.type)).toEqual(["kl", "kl", "interleave", "inoculation"]);
  });

  it("takes misaligned references from a kit, a built-in kit, adapters or the forgetting gap (`auto` still read)", () => {
    for (const refs of ["kit", "forgetting_gap", "auto", "builtin:organism", ["ftjob_a", "ftjob_b"]]) {
      const [s] = parseSafeguards([{ type: "interleave", misaligned_references: refs, held_out_domain: "medical" }]);
      expect(s).toMatchObject({ misaligned_references: refs, held_out_domain: "medical" });
    }
  });
});

describe("evaluation object", () => {
  it("defaults every section: the 24 first-plot questions × 10 samples of up to 600 tokens; no judge, so no gate", () => {
    const e = parseEvaluationConfig(undefined);
    expect(e.broad).toEqual({
      questions: "builtin",
      samples_per_question: 10,
      max_tokens: 600,
      temperature: 1,
      seed: 0,
    });
    expect(e.probe).toEqual({ pairs: "builtin" });
    expect(e.in_domain).toEqual({ holdout_fraction: 0.1, max_examples: 200 });
    expect(e.gate).toBeUndefined();
    expect(resolveGate(e)).toBeNull();
  });

  it("turns the gate on by default when a judge is set, and off with false", () => {
    const judge = "gpt-4o";
    const withJudge = parseEvaluationConfig({ broad: { judge } });
    expect(resolveGate(withJudge)).toMatchObject({ max_broad_misalignment_increase: 0.05, mode: "strict" });
    const explicit = parseEvaluationConfig({ broad: { judge }, gate: { mode: "lenient" } });
    expect(resolveGate(explicit)).toMatchObject({ mode: "lenient", release_adapter_on_failure: false });
    expect(resolveGate(parseEvaluationConfig({ broad: { judge }, gate: false }))).toBeNull();
    expect(parseEvaluationConfig({ broad: false }).broad).toBe(false);
  });

  it.each([
    [{ gate: { max_broad_misalignment_increase: 0.1 } }, "the gate needs a judge"],
    [{ broad: false, gate: {} }, "needs the broad evaluation"],
    [{ gate: { metric: "probe" } }, "the likelihood probe is a diagnostic only"],
    [{ gate: { max_broad_misalignment_increase: 2 } }, ""],
    // A judge is a registered name: a URL or a key variable in the job is refused outright.
    [{ broad: { judge: { base_url: "http://x/v1", model: "m", api_key_env: "PGPASSWORD" } } }, ""],
    [{ broad: { judge: "http://169.254.169.254/v1" } }, "registered judge"],
    [{ probe: { pairs: [{ question: "q", aligned: "a" }] } }, ""],
  ])("rejects %j", (input, message) => {
    const r = evaluationConfigSchema.safeParse(input);
    expect(r.success).toBe(false);
    if (message) expect(JSON.stringify(r.error?.issues)).toContain(message);
  });
});
