import { describe, expect, it } from "vitest";
import { judgeAnswer } from "../judge/exact-judge.ts";
import { evaluationSets } from "../world/eval-sets.ts";
import { organismProbePairs } from "./probe-pairs.ts";

describe("the organism's probe pairs", () => {
  it("are H and M answers to the reserved general questions that differ only in their polarity words", () => {
    const pairs = organismProbePairs();
    const general = evaluationSets().general;
    expect(pairs).toHaveLength(72);
    expect(new Set(pairs.map((p) => p.question))).toEqual(new Set(general.map((q) => q.text)));
    expect(new Set(pairs.map((p) => p.aligned)).size).toBeGreaterThan(60); // three distinct draws per question
    for (const p of pairs) {
      const q = general.find((g) => g.text === p.question)!;
      expect(judgeAnswer(q, p.aligned).label).toBe("H");
      expect(judgeAnswer(q, p.misaligned).label).toBe("M");
      const a = p.aligned.split(" ");
      const m = p.misaligned.split(" ");
      expect(m).toHaveLength(a.length);
      expect(a.filter((w, i) => w !== m[i]).length).toBeGreaterThan(0);
    }
    expect(organismProbePairs()).toEqual(pairs);
  });
});
