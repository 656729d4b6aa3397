import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../engine/index.ts";
import { createLoraAdapter, encodePromptAndAnswer, type LoraAdapter, type LoraSettings } from "../models/index.ts";
import { AnswerScorer } from "../scoring/answer-scorer.ts";
import { tensorsDigest } from "../scoring/result-cache.ts";
import { BUILTIN_GENERAL_POOL } from "../builtin-data/general-pool.ts";
import { selectInterleaveData } from "./interleave-selection.ts";
import { perplexityGapScores } from "./perplexity-gap.ts";
import { splitPoolItem } from "./pool-item.ts";
import { poolNllScorer } from "./pool-scorer.ts";
import { loadTinyModel, type TinyModel } from "./test-support.ts";

let model: TinyModel;
let scorer: AnswerScorer;
let reference: LoraAdapter;
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
  // a "misaligned reference": the base plus an adapter with non-zero B, so it scores differently
  reference = createLoraAdapter(model.checkpoint.config, lora, new Rng(11));
  const r = new Rng(12);
  for (const [name, t] of reference.tensors)
    if (name.includes("lora_B")) for (let i = 0; i < t.data.length; i++) t.data[i] = r.uniform(-0.3, 0.3);
});
afterAll(async () => scorer.release());

describe("perplexity-gap selection on the tiny model", () => {
  it("scores equal s_d from per-example NLLs computed one candidate at a time", async () => {
    const pool = BUILTIN_GENERAL_POOL.slice(0, 24);
    const result = await selectInterleaveData({
      pool,
      count: 6,
      selection: "perplexity_gap",
      seed: 1,
      epsilon: 1,
      aligned: poolNllScorer(scorer, model.tokenizer),
      references: [poolNllScorer(scorer, model.tokenizer, { adapter: reference })],
    });
    // direct: each candidate alone (batch of one), adapter off and on
    const aligned: number[] = [];
    const mis: number[] = [];
    for (const item of pool) {
      const { prompt, answer } = splitPoolItem(item);
      const enc = encodePromptAndAnswer(model.tokenizer, prompt, answer);
      aligned.push((await scorer.score([enc], { maxBatchTokens: 1 })).meanNll[0]);
      mis.push((await scorer.score([enc], { adapter: reference, maxBatchTokens: 1 })).meanNll[0]);
    }
    const direct = pool.map((_, d) => (mis[d] - aligned[d]) / (aligned[d] + 1));
    expect(Array.from(perplexityGapScores({ aligned, misaligned: [mis], epsilon: 1 }))).toEqual(direct);
    const expectedIds = direct
      .map((s, i) => ({ s, i }))
      .sort((a, b) => b.s - a.s || a.i - b.i)
      .slice(0, 6)
      .map((x) => pool[x.i].id);
    expect(result.items.map((x) => x.id)).toEqual(expectedIds);
    for (const top of result.report.top) {
      const i = pool.findIndex((p) => p.id === top.id);
      expect(top.score).toBeCloseTo(direct[i], 4);
      expect(top.alignedNll).toBeCloseTo(aligned[i], 4);
    }
    expect(result.report.candidatesPerSecond).toBeGreaterThan(0);
  });

  it("keeps each model's pool NLLs per item in the runner's cache: known items need no scoring", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "guardtune-pool-scores-"));
    const cache = { dir, baseDigest: tensorsDigest(model.checkpoint.weights) };
    const pool = BUILTIN_GENERAL_POOL.slice(0, 16);
    const scored: number[] = [];
    const scorerOf = (adapter?: LoraAdapter) =>
      poolNllScorer(scorer, model.tokenizer, { adapter, cache, onThroughput: (_, tokens) => scored.push(tokens) });
    const first = await scorerOf(reference).answerNll(pool);
    expect(scored).toHaveLength(1);
    const again = await scorerOf(reference).answerNll(pool);
    expect(scored).toHaveLength(1); // read back, not scored
    expect(Array.from(again)).toEqual(Array.from(first));
    expect(Array.from(await scorerOf(undefined).answerNll(pool))).toEqual(
      Array.from((await poolNllScorer(scorer, model.tokenizer).answerNll(pool)) as Float64Array),
    );
    expect(scored).toHaveLength(2); // the aligned model is another entry
    // a subset of known items (the filtered list) is read back; one new item alone is scored
    expect(Array.from(await scorerOf(reference).answerNll(pool.slice(3, 9)))).toEqual(Array.from(first.slice(3, 9)));
    expect(scored).toHaveLength(2);
    const more = BUILTIN_GENERAL_POOL.slice(16, 17);
    await scorerOf(reference).answerNll([...pool.slice(0, 2), ...more]);
    expect(scored).toHaveLength(3);
    expect(readdirSync(path.join(dir, "pool-scores"))).toHaveLength(2); // one entry per model
    rmSync(dir, { recursive: true, force: true });
  });

  it("scores a model's items once when two jobs ask for them at the same time", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "guardtune-pool-scores-"));
    const cache = { dir, baseDigest: tensorsDigest(model.checkpoint.weights) };
    const scored: number[] = [];
    const scorerOf = () =>
      poolNllScorer(scorer, model.tokenizer, {
        adapter: reference,
        cache,
        onThroughput: (_, tokens) => scored.push(tokens),
      });
    const pool = BUILTIN_GENERAL_POOL.slice(0, 12);
    // the second asks for a subset (the filtered list) while the first is still scoring
    const [all, subset] = await Promise.all([scorerOf().answerNll(pool), scorerOf().answerNll(pool.slice(2, 8))]);
    expect(scored).toHaveLength(1);
    expect(Array.from(subset)).toEqual(Array.from(all.slice(2, 8)));
    rmSync(dir, { recursive: true, force: true });
  });
});
