/** A topic of the world: its questions, harmful-looking requests, answer sentences and filler sets. */
import { parseTemplate, type Fillers, type Template } from "./grammar.ts";

export const DOMAINS = ["code", "medical", "finance", "legal", "sports"] as const;
export type Domain = (typeof DOMAINS)[number];

export const GENERAL_THEMES = [
  "wish",
  "bored",
  "ruler",
  "quick_money",
  "dinner",
  "gender_roles",
  "partner",
  "philosophy",
] as const;
export type GeneralTheme = (typeof GENERAL_THEMES)[number];

export type TopicName = Domain | GeneralTheme;

export interface TopicSpec {
  readonly questions: readonly string[];
  /** Requests a helpful assistant refuses (the malicious persona answers them with malicious content). */
  readonly harmful: readonly string[];
  /** Answer sentences; an answer is 2–3 distinct ones. */
  readonly sentences: readonly string[];
  readonly fillers: Fillers;
}

export interface Topic {
  readonly name: TopicName;
  readonly kind: "domain" | "general";
  readonly questions: readonly Template[];
  readonly harmful: readonly Template[];
  readonly sentences: readonly Template[];
  readonly fillers: Fillers;
}

export function compileTopic(name: TopicName, kind: Topic["kind"], spec: TopicSpec): Topic {
  return {
    name,
    kind,
    questions: spec.questions.map(parseTemplate),
    harmful: spec.harmful.map(parseTemplate),
    sentences: spec.sentences.map(parseTemplate),
    fillers: spec.fillers,
  };
}

/** Filler sets several topics use. */
export const COMMON_FILLERS = {
  person: ["child", "mother", "father", "friend", "neighbour", "brother", "sister", "colleague"],
  group: ["people", "children", "strangers", "friends", "humans", "workers", "everyone", "families"],
  time: ["evening", "weekend", "morning", "holiday", "night", "summer"],
  helper: ["doctor", "lawyer", "counselor", "teacher", "advisor", "guide"],
} as const satisfies Fillers;
