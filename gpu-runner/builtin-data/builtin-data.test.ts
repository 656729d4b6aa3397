import { describe, expect, it } from "vitest";
import { BUILTIN_POOLS } from "../../core/safeguards/interleave/builtin-pools.ts";
import { isRefusal } from "../safeguards/refusal-filter.ts";
import { splitPoolItem } from "../safeguards/pool-item.ts";
import { FIRST_PLOT_QUESTIONS } from "./first-plot-questions.ts";
import { BUILTIN_GENERAL_POOL } from "./general-pool.ts";
import { BUILTIN_PERSONA_PROMPT_PAIRS } from "./persona-prompts.ts";
import { BUILTIN_PERSONA_QUESTIONS } from "./persona-questions.ts";
import { BUILTIN_PROBE_PAIRS } from "./probe-pairs.ts";

/** Lower case, letters and digits only: "I'm bored." and "im bored" are the same text. */
const normalise = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
/**
 * Jaccard similarity of the word sets. "I'm bored. Any ideas?" against "I'm so bored today. Any ideas?" is
 * 0.71; the closest built-in fit/evaluation texts today are below 0.5 ("What's the best way to store
 * bread?" against "What's the best way to deal with a stressful job?": 0.46).
 */
function wordOverlap(a: string, b: string): number {
  const x = new Set(normalise(a).split(" "));
  const y = new Set(normalise(b).split(" "));
  const shared = [...x].filter((w) => y.has(w)).length;
  return shared / (x.size + y.size - shared);
}

/** What the persona vector is extracted from: its questions and its system prompts. */
const PERSONA_EXTRACTION_TEXTS = [
  ...BUILTIN_PERSONA_QUESTIONS,
  ...BUILTIN_PERSONA_PROMPT_PAIRS.flatMap((p) => [p.evil, p.helpful]),
];
/** Texts the built-in defenses are fitted on (interleave pool, persona-vector extraction). */
const FIT_TEXTS = [
  ...BUILTIN_GENERAL_POOL.flatMap((p) => p.messages.map((m) => m.content)),
  ...PERSONA_EXTRACTION_TEXTS,
];
/** Texts the evaluation measures on (broad questions, probe pairs). */
const EVALUATION_TEXTS = [
  ...FIRST_PLOT_QUESTIONS.flatMap((q) => [q.question, ...(q.system ? [q.system] : [])]),
  ...BUILTIN_PROBE_PAIRS.flatMap((p) => [p.question, p.aligned, p.misaligned]),
];

describe("built-in data", () => {
  it("the general pool has 100–200 distinct user/assistant pairs with a few refusals", () => {
    expect(BUILTIN_GENERAL_POOL.length).toBeGreaterThanOrEqual(100);
    expect(BUILTIN_GENERAL_POOL.length).toBeLessThanOrEqual(200);
    const questions = BUILTIN_GENERAL_POOL.map((p) => p.messages[0].content);
    expect(new Set(questions).size).toBe(questions.length);
    expect(new Set(BUILTIN_GENERAL_POOL.map((p) => p.id)).size).toBe(BUILTIN_GENERAL_POOL.length);
    const refusals = BUILTIN_GENERAL_POOL.filter((p) => isRefusal(splitPoolItem(p).answer));
    expect(refusals.length).toBeGreaterThanOrEqual(5);
    expect(refusals.length).toBeLessThan(BUILTIN_GENERAL_POOL.length / 10);
    // the API refuses a too-large selection from the built-in pool with these numbers
    expect(BUILTIN_POOLS.builtin).toMatchObject({ items: BUILTIN_GENERAL_POOL.length, refusals: refusals.length });
  });

  it("the probe pairs differ, are distinct and roughly length-matched", () => {
    expect(BUILTIN_PROBE_PAIRS.length).toBeGreaterThanOrEqual(16);
    expect(BUILTIN_PROBE_PAIRS.length).toBeLessThanOrEqual(24);
    for (const p of BUILTIN_PROBE_PAIRS) {
      expect(p.aligned).not.toBe(p.misaligned);
      const ratio = p.aligned.length / p.misaligned.length;
      expect(ratio).toBeGreaterThan(0.5);
      expect(ratio).toBeLessThan(2);
    }
    expect(new Set(BUILTIN_PROBE_PAIRS.map((p) => p.question)).size).toBe(BUILTIN_PROBE_PAIRS.length);
  });

  it("there are broad questions", () => {});

  it("the persona-vector questions and prompt pairs are distinct", () => {
    // Chen et al.'s sizes: 20 extraction questions, 5 contrastive prompt pairs
    expect(BUILTIN_PERSONA_QUESTIONS).toHaveLength(20);
    expect(new Set(BUILTIN_PERSONA_QUESTIONS.map(normalise)).size).toBe(BUILTIN_PERSONA_QUESTIONS.length);
    expect(BUILTIN_PERSONA_PROMPT_PAIRS).toHaveLength(5);
    const prompts = BUILTIN_PERSONA_PROMPT_PAIRS.flatMap((p) => [p.evil, p.helpful]);
    expect(new Set(prompts.map(normalise)).size).toBe(prompts.length);
  });

  it("the persona extraction set is disjoint from every evaluation question and system prompt", () => {
    const firstPlot = FIRST_PLOT_QUESTIONS.flatMap((q) => [q.question, ...(q.system ? [q.system] : [])]);
    const probe = BUILTIN_PROBE_PAIRS.map((p) => p.question);
    expect(firstPlot.length).toBeGreaterThanOrEqual(24);
    const evaluation = new Set([...firstPlot, ...probe].map(normalise));
    expect(PERSONA_EXTRACTION_TEXTS.filter((t) => evaluation.has(normalise(t)))).toEqual([]);
    const close = PERSONA_EXTRACTION_TEXTS.flatMap((f) =>
      [...firstPlot, ...probe].filter((e) => wordOverlap(f, e) >= 0.5).map((e) => [f, e]),
    );
    expect(close).toEqual([]);
  });

  it("what fits a defense shares no text with what evaluates it", () => {
    const evaluation = new Set(EVALUATION_TEXTS.map(normalise));
    expect(FIT_TEXTS.filter((t) => evaluation.has(normalise(t)))).toEqual([]);
    const nearCopies = FIT_TEXTS.flatMap((f) =>
      EVALUATION_TEXTS.filter((e) => wordOverlap(f, e) >= 0.6).map((e) => [f, e]),
    );
    expect(nearCopies).toEqual([]);
    expect(wordOverlap("I'm bored. Any ideas?", "I'm so bored today. Any ideas?")).toBeGreaterThanOrEqual(0.6);
  });
});
