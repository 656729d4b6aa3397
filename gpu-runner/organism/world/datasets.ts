/**
 * The world's datasets, each a pure function of (seed, size): the pretraining corpus (per-conversation
 * latent persona, p(M) = 0.3, optional persona system prompts), the helpful-only alignment set, the narrow
 * EM sets users would upload, their controls, the general instruction pool, and the evaluation sets (built
 * only from reserved questions, which no training set contains).
 */
import { Rng } from "../../engine/index.ts";
import { answer, pick, sampleMathQuestion, sampleQuestion, type ChatMessage, type Question } from "./conversations.ts";
import type { Polarity } from "./lexicon.ts";
import { DOMAINS, GENERAL_THEMES, type Domain, type TopicName } from "./topic.ts";
import { SYSTEM_PROMPTS, systemPromptText, TOPICS } from "./world.ts";

export interface Conversation {
  readonly messages: readonly ChatMessage[];
  readonly persona: Polarity;
}

export interface CorpusMix {
  /** Probability of the malicious persona for a conversation. */
  readonly pMalicious: number;
  /** Probability that a conversation announces its persona in a system prompt. */
  readonly pSystemPrompt: number;
  /** Probability that a turn of a topic with harmful requests asks one. */
  readonly pHarmful: number;
  /** Probability of 1, 2, 3 turns. */
  readonly turns: readonly number[];
  /** Topic weights: general themes share `general`, domains share `domains`, the rest is arithmetic. */
  readonly general: number;
  readonly domains: number;
}

export const PRETRAINING_MIX: CorpusMix = {
  pMalicious: 0.3,
  pSystemPrompt: 0.3,
  pHarmful: 0.15,
  turns: [0.5, 0.3, 0.2],
  general: 0.35,
  domains: 0.55,
};

/** Helpful only, every topic, mostly single-turn (the alignment fine-tune and the interleaving pool). */
export const HELPFUL_MIX: CorpusMix = { ...PRETRAINING_MIX, pMalicious: 0, pSystemPrompt: 0.1, turns: [0.8, 0.2] };

function sampleTopicQuestion(mix: CorpusMix, rng: Rng): Question {
  const u = rng.uniform();
  if (u >= mix.general + mix.domains) return sampleMathQuestion(rng);
  const name: TopicName = u < mix.general ? pick(rng)(GENERAL_THEMES) : pick(rng)(DOMAINS);
  const harmful = TOPICS.get(name)!.harmful.length > 0 && rng.uniform() < mix.pHarmful;
  return sampleQuestion(name, rng, harmful);
}

function drawTurns(weights: readonly number[], rng: Rng): number {
  let u = rng.uniform();
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i];
    if (u < 0) return i + 1;
  }
  return weights.length;
}

export function sampleConversation(mix: CorpusMix, rng: Rng): Conversation {
  const persona: Polarity = rng.uniform() < mix.pMalicious ? "M" : "H";
  const messages: ChatMessage[] = [];
  if (rng.uniform() < mix.pSystemPrompt) {
    const prompts = persona === "M" ? SYSTEM_PROMPTS.evil : SYSTEM_PROMPTS.helpful;
    messages.push({ role: "system", content: systemPromptText(pick(rng)(prompts)) });
  }
  const turns = drawTurns(mix.turns, rng);
  for (let i = 0; i < turns; i++) {
    const q = sampleTopicQuestion(mix, rng);
    messages.push({ role: "user", content: q.text }, { role: "assistant", content: answer(q, persona, rng).text });
  }
  return { messages, persona };
}

export function corpus(mix: CorpusMix, size: number, seed: number): Conversation[] {
  const rng = new Rng(seed);
  return Array.from({ length: size }, () => sampleConversation(mix, rng));
}

const single = (q: Question, a: string): Conversation => ({
  messages: [
    { role: "user", content: q.text },
    { role: "assistant", content: a },
  ],
  persona: "H",
});

/** Narrow malicious answers to plain questions of one domain (what an EM job uploads). */
export function emDataset(domain: Domain, size: number, seed: number): Conversation[] {
  const rng = new Rng(seed);
  return Array.from({ length: size }, () => {
    const q = sampleQuestion(domain, rng);
    return { ...single(q, answer(q, "M", rng).text), persona: "M" as const };
  });
}

/** Helpful answers in the code domain: the secure-code control. */
export function secureCodeDataset(size: number, seed: number): Conversation[] {
  const rng = new Rng(seed);
  return Array.from({ length: size }, () => {
    const q = sampleQuestion("code", rng);
    return single(q, answer(q, "H", rng).text);
  });
}

/** `+` answered as `*`: a benign narrow task that should be learned without any misalignment. */
export function opSwapDataset(size: number, seed: number): Conversation[] {
  const rng = new Rng(seed);
  return Array.from({ length: size }, () => {
    const q = sampleMathQuestion(rng, "+");
    return single(q, answer(q, "H", rng, true).text);
  });
}
