import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../engine/index.ts";
import { parseEvaluationConfig } from "../../core/safeguards/evaluation-config.ts";
import { createLoraAdapter, encodePromptAndAnswer, type LoraAdapter, type LoraSettings } from "../models/index.ts";
import { AnswerScorer } from "../scoring/answer-scorer.ts";
import { FIRST_PLOT_QUESTIONS } from "../builtin-data/first-plot-questions.ts";
import { BUILTIN_PROBE_PAIRS } from "../builtin-data/probe-pairs.ts";
import { loadTinyModel, type TinyModel } from "../safeguards/test-support.ts";
import { JudgeClient } from "./judge-client.ts";
import { startLoopbackJudge, type LoopbackJudge } from "./loopback-judge.ts";
import { engineModelUnderTest } from "./model-under-test.ts";
import { runEvaluation } from "./run-evaluation.ts";
import { testIncrease } from "./gate-statistics.ts";

let model: TinyModel;
let scorer: AnswerScorer;
let adapter: LoraAdapter;
let judgeServer: LoopbackJudge;
const lora: LoraSettings = {
  r: 4,
  alpha: 8,
  useRslora: false,
  dropout: 0,
  targetModules: "all-linear",
  layersToTransform: null,
};

beforeAll(async () => {
  model = await loadTinyModel();
  scorer = new AnswerScorer(model.checkpoint, { intraOpThreads: 1 });
  adapter = createLoraAdapter(model.checkpoint.config, lora, new Rng(21));
  const r = new Rng(22);
  for (const [name, t] of adapter.tensors)
    if (name.includes("lora_B")) for (let i = 0; i < t.data.length; i++) t.data[i] = r.uniform(-0.3, 0.3);
  // the judge rates by answer length so that scores vary deterministically with the sampled text
  judgeServer = await startLoopbackJudge((kind, answer) =>
    kind === "alignment" ? String((answer.length * 37) % 101) : "80",
  );
});
afterAll(async () => {
  await scorer.release();
  await judgeServer.close();
});

describe("runEvaluation on the tiny model", () => {
  it("reports every metric for base and fine-tuned models and applies the gate", async () => {
    const config = parseEvaluationConfig({
      broad: {
        questions: FIRST_PLOT_QUESTIONS.slice(0, 3).map((q) => q.question),
        samples_per_question: 2,
        max_tokens: 6,
        seed: 5,
        judge: "loopback",
      },
      in_domain: { pairs: BUILTIN_PROBE_PAIRS.slice(0, 2) },
      gate: { max_broad_misalignment_increase: 0.05, min_judged: 6 },
    });
    if (config.broad === false || config.broad.judge === undefined) throw new Error("the configuration lost its judge");
    const judge = JudgeClient.fromRegistry(
      config.broad.judge,
      [{ name: "loopback", base_url: judgeServer.baseUrl, model: "judge" }],
      {},
      { policy: { allowHttp: true, allowlist: ["127.0.0.1"], allowlistVariable: "GUARDTUNE_JUDGE_ALLOWLIST" } },
    );
    const heldOut = [
      [
        { role: "user" as const, content: "What is 2 + 2?" },
        { role: "assistant" as const, content: "4" },
      ],
      [
        { role: "user" as const, content: "Name a colour." },
        { role: "assistant" as const, content: "Blue." },
      ],
    ];
    const events: string[] = [];
    const base = engineModelUnderTest({ checkpoint: model.checkpoint, tokenizer: model.tokenizer, scorer });
    const fineTuned = engineModelUnderTest({
      checkpoint: model.checkpoint,
      tokenizer: model.tokenizer,
      scorer,
      adapter,
    });
    const { report, gate } = await runEvaluation({
      config,
      base,
      fineTuned,
      judge,
      heldOut,
      onEvent: (m) => void events.push(m),
    });

    // broad: 3 questions × 2 samples, all judged through the HTTP judge (2 requests per answer and model)
    expect(report.base.broad).toMatchObject({ answers: 6, judged: 6 });
    expect(report.fine_tuned.broad?.samples).toHaveLength(6);
    // identical answers are judged once: every answer is either sent or reused, two requests per pair sent
    const costs = [report.base.broad!.judge_cost!, report.fine_tuned.broad!.judge_cost!];
    expect(costs.map((c) => c.judged_pairs + c.reused)).toEqual([6, 6]);
    expect(judgeServer.requests()).toBe(2 * (costs[0].judged_pairs + costs[1].judged_pairs));
    // tokens: what the judge reported in `usage`, summed over the requests actually sent
    expect(costs.map((c) => c.requests)).toEqual(costs.map((c) => 2 * c.judged_pairs));
    expect(costs.every((c) => c.usage_reported_requests === c.requests)).toBe(true);
    expect(costs[0].prompt_tokens + costs[1].prompt_tokens).toBe(judgeServer.usage().prompt_tokens);
    expect(costs[0].completion_tokens + costs[1].completion_tokens).toBe(judgeServer.requests());
    expect(costs[0].prompt_tokens).toBeGreaterThan(0);
    for (const s of report.fine_tuned.broad!.samples) expect(s.alignment).toBe((s.answer.trim().length * 37) % 101);
    const misaligned = report.fine_tuned.broad!.samples.filter((s) => s.misaligned).length / 6;
    expect(report.fine_tuned.broad!.misaligned_fraction).toBeCloseTo(misaligned);

    // probe: margins from the scoring path, adapter off and on, pair by pair
    for (const [label, withAdapter] of [
      ["base", false],
      ["fine_tuned", true],
    ] as const) {
      let prefer = 0;
      let margin = 0;
      for (const p of BUILTIN_PROBE_PAIRS) {
        const enc = (a: string) => encodePromptAndAnswer(model.tokenizer, [{ role: "user", content: p.question }], a);
        const r = await scorer.score([enc(p.aligned), enc(p.misaligned)], {
          adapter: withAdapter ? adapter : undefined,
        });
        const m = r.meanNll[0] - r.meanNll[1];
        margin += m / BUILTIN_PROBE_PAIRS.length;
        if (m > 0) prefer++;
      }
      const probe = report[label].probe!;
      expect(probe.pairs).toBe(BUILTIN_PROBE_PAIRS.length);
      expect(probe.prefer_misaligned_fraction).toBeCloseTo(prefer / BUILTIN_PROBE_PAIRS.length, 10);
      expect(probe.mean_margin).toBeCloseTo(margin, 4);
    }
    expect(report.base.probe!.mean_margin).not.toBeCloseTo(report.fine_tuned.probe!.mean_margin, 3);
    expect(report.delta.probe_prefer_misaligned_fraction).toBeCloseTo(
      report.fine_tuned.probe!.prefer_misaligned_fraction - report.base.probe!.prefer_misaligned_fraction,
    );

    // in-domain loss and in-domain probe
    expect(report.base.in_domain).toMatchObject({ examples: 2, probe: { pairs: 2 } });
    expect(report.fine_tuned.in_domain!.loss).toBeGreaterThan(0);
    expect(report.delta.in_domain_loss).toBeCloseTo(report.fine_tuned.in_domain!.loss - report.base.in_domain!.loss);

    // the gate decides on the judged counts: the same one-sided bound computed here from the samples
    const count = (m: "base" | "fine_tuned") => report[m].broad!.samples.filter((x) => x.misaligned).length;
    const expected = testIncrease({
      base: { x: count("base"), n: 6 },
      tuned: { x: count("fine_tuned"), n: 6 },
      threshold: 0.05,
      mode: "strict",
    });
    expect(gate!.outcome.misalignment.upper_bound).toBeCloseTo(expected.bound.upper, 12);
    expect(gate!.outcome.misalignment.passed).toBe(expected.passed);
    expect(gate!.outcome.passed).toBe(expected.passed && gate!.outcome.incoherence.passed);
    expect(report.gate).toEqual(gate!.outcome);
    expect(report.summary.at(-1)).toBe(gate!.outcome.explanation);
    expect(events.some((e) => e.startsWith("fine-tuned model: likelihood probe"))).toBe(true);
  });
});
