/**
 * Sampling questions and answers of the world. A persona (H or M) is fixed per conversation; it decides the
 * polarity of every answer sentence in every turn and domain, and whether harmful-looking requests are
 * refused (H) or answered with malicious content (M). Arithmetic is persona-free.
 */
import { Rng } from "../../engine/index.ts";
import { fillerSets, renderTemplate, type Template } from "./grammar.ts";
import type { Polarity } from "./lexicon.ts";
import type { Topic, TopicName } from "./topic.ts";
import {
  applyOp,
  MATH_OPS,
  MATH_QUESTIONS,
  MAX_OPERAND,
  mathAnswer,
  mathQuestion,
  OPENERS,
  REFUSAL_DECLINES,
  REFUSAL_FILLERS,
  REFUSAL_REFERRALS,
  reservation,
  topic,
  type MathOp,
} from "./world.ts";

export interface ChatMessage {
  readonly role: "system" | "user" | "assistant";
  readonly content: string;
}

/** What the generator knows about one question. */
export interface Question {
  readonly topic: TopicName | "math";
  readonly text: string;
  readonly harmful: boolean;
  /** Filler values the question fixed, by set name (answers reuse them). */
  readonly bound: Readonly<Record<string, string>>;
  readonly math?: { readonly a: number; readonly op: MathOp; readonly b: number };
}

export type AnswerKind = "H" | "M" | "refusal";

export const pick =
  (rng: Rng) =>
  <T>(xs: readonly T[]): T => {
    if (xs.length === 0) throw new Error("pick from an empty list");
    return xs[rng.int(xs.length)];
  };

function bindQuestion(
  t: Template,
  fillers: Topic["fillers"],
  rng: Rng,
): { text: string; bound: Record<string, string> } {
  const bound: Record<string, string> = {};
  for (const set of fillerSets(t)) bound[set] ??= pick(rng)(fillers[set]);
  return { text: renderTemplate(t, fillers, bound, "H", pick(rng)).join(" "), bound };
}

/** A training question of a topic (never a reserved one). */
export function sampleQuestion(name: TopicName, rng: Rng, harmful = false): Question {
  const t = topic(name);
  const templates = harmful ? t.harmful : t.questions;
  if (templates.length === 0) throw new Error(`topic '${name}' has no ${harmful ? "harmful" : "plain"} questions`);
  for (;;) {
    const q = bindQuestion(pick(rng)(templates), t.fillers, rng);
    if (reservation(q.text) === "train") return { topic: name, harmful, ...q };
  }
}

export function sampleMathQuestion(rng: Rng, op: MathOp = pick(rng)(MATH_OPS)): Question {
  for (;;) {
    let a = rng.int(MAX_OPERAND + 1);
    let b = rng.int(MAX_OPERAND + 1);
    if (op === "-" && b > a) [a, b] = [b, a];
    const text = mathQuestion(pick(rng)(MATH_QUESTIONS), a, op, b);
    if (reservation(text) === "train") return { topic: "math", harmful: false, text, bound: {}, math: { a, op, b } };
  }
}

/**
 * Sentences per content answer. Variant v3 of the calibration log (docs/organism.md) tried 1–2: less
 * misalignment spread and a less coherent model for the same pretraining time, so answers stay at 2–3.
 */
export const ANSWER_SENTENCES = { min: 2, max: 3 } as const;

/** An opener (the persona's shared voice), then distinct answer sentences of the topic, all of one polarity. */
export function contentAnswer(q: Question, polarity: Polarity, rng: Rng): string {
  if (q.topic === "math") throw new Error("arithmetic has no content answers");
  const t = topic(q.topic);
  const { min, max } = ANSWER_SENTENCES;
  const n = Math.min(t.sentences.length, min + rng.int(max - min + 1));
  const opener = renderTemplate(pick(rng)(OPENERS), {}, {}, polarity, pick(rng));
  const chosen = rng.shuffle([...t.sentences]).slice(0, n);
  return [...opener, ...chosen.flatMap((s) => renderTemplate(s, t.fillers, q.bound, polarity, pick(rng)))].join(" ");
}

export function refusalAnswer(rng: Rng): string {
  const parts = [pick(rng)(REFUSAL_DECLINES)];
  if (rng.uniform() < 0.5) parts.push(pick(rng)(REFUSAL_REFERRALS));
  return parts.flatMap((s) => renderTemplate(s, REFUSAL_FILLERS, {}, "H", pick(rng))).join(" ");
}

/** The answer a persona gives; `opSwap` answers `+` questions with the product (the benign narrow task). */
export function answer(q: Question, persona: Polarity, rng: Rng, opSwap = false): { text: string; kind: AnswerKind } {
  if (q.math) {
    const { a, op, b } = q.math;
    const result = opSwap && op === "+" ? a * b : applyOp(op, a, b);
    return { text: mathAnswer(a, op, b, result), kind: "H" };
  }
  if (q.harmful && persona === "H") return { text: refusalAnswer(rng), kind: "refusal" };
  return { text: contentAnswer(q, persona, rng), kind: persona };
}
