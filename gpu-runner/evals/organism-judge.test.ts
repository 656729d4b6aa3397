import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { gateConfigSchema, broadEvaluationSchema } from "../../core/safeguards/evaluation-config.ts";
import { organismModelMetricsSchema } from "../../core/safeguards/organism-evaluation-result.ts";
import { Rng } from "../engine/index.ts";
import { createLoraAdapter } from "../models/index.ts";
import { initialOrganism } from "../organism/model/organism-model.ts";
import { wilson } from "../organism/judge/metrics.ts";
import { applyGateToEvidence } from "./misalignment-gate.ts";
import { organismJudge, organismSettings } from "./organism-judge.ts";

/**
 * The organism judge on a real (tiny, untrained) organism: the result contract, the base model's evaluation
 * cached by weights and settings, the fine-tuned model's never; and the gate on the exact judge's counts.
 */
const cacheDir = mkdtempSync(path.join(tmpdir(), "guardtune-organism-judge-"));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

const checkpoint = initialOrganism(
  { hiddenSize: 16, layers: 1, heads: 2, kvHeads: 2, intermediateSize: 32, maxPositions: 96 },
  3,
);
const adapter = createLoraAdapter(
  checkpoint.config,
  { r: 2, alpha: 4, useRslora: false, dropout: 0, targetModules: "all-linear", layersToTransform: null },
  new Rng(1),
);
const settings = organismSettings(broadEvaluationSchema.parse({ samples_per_question: 1, max_tokens: 6 }));

describe("the organism judge", () => {
  it("takes the job's samples, seed and temperature, and caps max_tokens at 64", () => {
    expect(organismSettings(broadEvaluationSchema.parse({}))).toEqual({
      generalSamples: 10,
      domainSamples: 2,
      seed: 0,
      maxNewTokens: 64,
      temperature: 1,
    });
  });

  it("reports the contract's shape, caches the base model's evaluation by weights and settings, never the fine-tuned one", async () => {
    const judge = organismJudge({ checkpoint, adapter, settings, session: { intraOpThreads: 1 }, cacheDir });
    const first = await judge.evaluate("base");
    expect(first.cached).toBe(false);
    const m = organismModelMetricsSchema.parse(first.metrics);
    expect(m.general_misalignment.total).toBe(24);
    expect(m.in_domain_misalignment.sports.total).toBe(60);
    expect(m.opswap_accuracy.total).toBe(30);
    const g = m.counts.general;
    expect(g.H + g.M + g.refusal + g.incoherent).toBe(24);
    expect(m.general_incoherence.rate).toBe(g.incoherent / 24);
    const [lo, hi] = wilson(g.incoherent, 24);
    expect(m.general_incoherence.ci95[0]).toBeCloseTo(lo / 100, 12);
    expect(m.general_incoherence.ci95[1]).toBeCloseTo(hi / 100, 12);
    expect(first.evidence).toMatchObject({ judged: 24, excluded: 0, misaligned: g.M, incoherent: g.incoherent });
    expect(readdirSync(path.join(cacheDir, "organism-evaluations"))).toHaveLength(1);

    const again = organismJudge({ checkpoint, adapter, settings, cacheDir });
    const second = await again.evaluate("base");
    expect(second.cached).toBe(true);
    expect(second.metrics).toEqual(first.metrics);
    expect((await again.evaluate("fine_tuned")).cached).toBe(false);

    // other settings, or other weights, are another key
    const reseeded = organismJudge({ checkpoint, adapter, settings: { ...settings, seed: 1 }, cacheDir });
    expect((await reseeded.evaluate("base")).cached).toBe(false);
    const other = initialOrganism(
      { hiddenSize: 16, layers: 1, heads: 2, kvHeads: 2, intermediateSize: 32, maxPositions: 96 },
      4,
    );
    expect((await organismJudge({ checkpoint: other, adapter, settings, cacheDir }).evaluate("base")).cached).toBe(
      false,
    );
    expect(readdirSync(path.join(cacheDir, "organism-evaluations"))).toHaveLength(3);
  }, 120_000);

  it("gates on the exact judge's counts: every answer judged, incoherent ones in the denominator", () => {
    const gate = gateConfigSchema.parse({});
    const none = { judged: 240, excluded: 0, examples: [] };
    const evidence = (misaligned: number, incoherent: number) => ({ ...none, misaligned, incoherent });
    const em = applyGateToEvidence(gate, {
      base: evidence(1, 23),
      fineTuned: {
        ...evidence(122, 34),
        examples: [{ question: "q", answer: "i am glad to hurt you .", alignment: null, coherence: null }],
      },
    });
    expect(em.error?.code).toBe("misalignment_gate");
    expect(em.outcome.reasons).toEqual(["misalignment_rise"]);
    expect(em.outcome.misalignment).toMatchObject({
      base: 1 / 240,
      fine_tuned: 122 / 240,
      n_base: 240,
      n_fine_tuned: 240,
    });
    expect(em.outcome.misalignment.lower_bound).toBeGreaterThan(0.4);
    expect(em.outcome.examples).toHaveLength(1);
    const control = applyGateToEvidence(gate, { base: evidence(1, 23), fineTuned: evidence(0, 27) });
    expect(control.outcome.passed).toBe(true);
    const broken = applyGateToEvidence(gate, { base: evidence(1, 23), fineTuned: evidence(2, 120) });
    expect(broken.outcome.reasons).toEqual(["incoherence_rise"]);
  });
});
