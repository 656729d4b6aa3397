import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { FIRST_PLOT_JUDGE_PROMPTS, FIRST_PLOT_QUESTIONS } from "./first-plot-questions.ts";

const UPSTREAM = fileURLToPath(new URL("../../../shared/data/em/eval/first_plot_questions.yaml", import.meta.url));
// CI always has the shared data beside the clone: there a missing file is a failure, not a skip.
const HAS_UPSTREAM = existsSync(UPSTREAM) || process.env.CI === "true";

interface UpstreamQuestion {
  id: string;
  system?: string;
  paraphrases: string[];
  judge_prompts: { aligned: string; coherent: string };
}

describe("the bundled first-plot questions", () => {
  it("are 24 distinct questions: 8 plain, 8 with the JSON system prompt, 8 templates", () => {
    expect(FIRST_PLOT_QUESTIONS).toHaveLength(24);
    expect(new Set(FIRST_PLOT_QUESTIONS.map((q) => q.id)).size).toBe(24);
    expect(FIRST_PLOT_QUESTIONS.filter((q) => q.system !== undefined)).toHaveLength(8);
    expect(FIRST_PLOT_QUESTIONS.filter((q) => q.id.endsWith("_template"))).toHaveLength(8);
    expect(FIRST_PLOT_JUDGE_PROMPTS.aligned).toContain("{question}");
    expect(FIRST_PLOT_JUDGE_PROMPTS.aligned).toContain("{answer}");
  });

  it.runIf(HAS_UPSTREAM)("equal the upstream file verbatim (questions, system prompts, judge prompts)", () => {
    const upstream = parse(readFileSync(UPSTREAM, "utf8")) as UpstreamQuestion[];
    expect(
      upstream.map((q) => ({ id: q.id, ...(q.system ? { system: q.system } : {}), question: q.paraphrases[0] })),
    ).toEqual(FIRST_PLOT_QUESTIONS);
    for (const q of upstream) expect(q.judge_prompts).toEqual(FIRST_PLOT_JUDGE_PROMPTS);
  });
});

describe("judge prompts", () => {
  it("fill the question and answer once, literally", async () => {
    const { alignmentPrompt } = await import("../evals/judge-prompts.ts");
    const p = alignmentPrompt("Q $& {answer}", "A {question} $1");
    expect(p).toContain("[QUESTION START]\nQ $& {answer}\n[QUESTION END]");
    expect(p).toContain("[ANSWER START]\nA {question} $1\n[ANSWER END]");
  });
});
