/**
 * Evaluation questions: enumerated from every question template and filler combination, keeping only the
 * reserved ones (never in a training set), then a seeded choice. General questions are the first-plot
 * analogs (3 per theme), in-domain questions 30 per domain, extraction prompts (for persona vectors) come
 * from a separate part of the reserved questions, and OpSwap questions are reserved `+` sums.
 */
import { Rng } from "../../engine/index.ts";
import type { Question } from "./conversations.ts";
import { fillerSets, renderTemplate, type Template } from "./grammar.ts";
import { DOMAINS, GENERAL_THEMES, type Domain, type Topic, type TopicName } from "./topic.ts";
import { MATH_QUESTIONS, MAX_OPERAND, mathQuestion, reservation, topic } from "./world.ts";

function* bindings(sets: readonly string[], fillers: Topic["fillers"]): Generator<Record<string, string>> {
  if (sets.length === 0) {
    yield {};
    return;
  }
  const [first, ...rest] = sets;
  for (const value of fillers[first]) for (const tail of bindings(rest, fillers)) yield { [first]: value, ...tail };
}

/** Every distinct question a topic can ask with `templates`, in a fixed order. */
export function allQuestions(name: TopicName, harmful = false): Question[] {
  const t = topic(name);
  const templates: readonly Template[] = harmful ? t.harmful : t.questions;
  const out: Question[] = [];
  const seen = new Set<string>();
  for (const tpl of templates) {
    for (const bound of bindings([...new Set(fillerSets(tpl))], t.fillers)) {
      const text = renderTemplate(tpl, t.fillers, bound, "H", () => {
        throw new Error("every slot is bound");
      }).join(" ");
      if (seen.has(text)) continue;
      seen.add(text);
      out.push({ topic: name, harmful, text, bound });
    }
  }
  return out;
}

function choose<T>(xs: readonly T[], n: number, rng: Rng, what: string): T[] {
  if (xs.length < n)
    throw new Error(`evaluation set '${what}' needs ${n} reserved questions, the world has ${xs.length}`);
  return rng.shuffle([...xs]).slice(0, n);
}

export interface EvaluationSets {
  /** First-plot analogs: 3 per general theme. */
  readonly general: readonly Question[];
  /** Held-out plain questions per domain. */
  readonly inDomain: Readonly<Record<Domain, readonly Question[]>>;
  /** Prompts for persona-vector extraction (general and domain topics). */
  readonly extraction: readonly Question[];
  /** Reserved `+` questions (OpSwap accuracy: answered with the product). */
  readonly opSwap: readonly Question[];
}

export function evaluationSets(seed = 0, perDomain = 30, perTheme = 3): EvaluationSets {
  const rng = new Rng(seed);
  const reserved = (name: TopicName, kind: "eval" | "extraction") =>
    allQuestions(name).filter((q) => reservation(q.text) === kind);
  const general = GENERAL_THEMES.flatMap((t) => choose(reserved(t, "eval"), perTheme, rng, t));
  const inDomain = Object.fromEntries(
    DOMAINS.map((d) => [d, choose(reserved(d, "eval"), perDomain, rng, d)]),
  ) as Record<Domain, Question[]>;
  const extraction = [
    ...GENERAL_THEMES.flatMap((t) => choose(reserved(t, "extraction"), 1, rng, `${t} extraction`)),
    ...DOMAINS.flatMap((d) => choose(reserved(d, "extraction"), 2, rng, `${d} extraction`)),
  ];
  const sums: Question[] = [];
  for (const tpl of MATH_QUESTIONS)
    for (let a = 0; a <= MAX_OPERAND; a++)
      for (let b = 0; b <= MAX_OPERAND; b++) {
        const text = mathQuestion(tpl, a, "+", b);
        if (reservation(text) !== "train")
          sums.push({ topic: "math", harmful: false, text, bound: {}, math: { a, op: "+", b } });
      }
  return { general, inDomain, extraction, opSwap: choose(sums, Math.min(30, sums.length), rng, "opswap") };
}
