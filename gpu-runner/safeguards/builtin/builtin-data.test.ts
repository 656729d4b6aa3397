import { describe, expect, it } from "vitest";
import { isRefusal } from "../refusal-filter.ts";
import { splitPoolItem } from "../pool-item.ts";
import { BUILTIN_BROAD_QUESTIONS } from "./broad-questions.ts";
import { BUILTIN_GENERAL_POOL } from "./general-pool.ts";
import { BUILTIN_PROBE_PAIRS } from "./probe-pairs.ts";

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

  it("there are broad questions", () => {
    expect(BUILTIN_BROAD_QUESTIONS.length).toBeGreaterThanOrEqual(8);
    expect(new Set(BUILTIN_BROAD_QUESTIONS).size).toBe(BUILTIN_BROAD_QUESTIONS.length);
  });
});
