/**
 * Binds the engine's batched answer scorer to pool items: the aligned model is the base with no adapter, a
 * misaligned reference is the same base with the reference's LoRA adapter fed in (no extra model copy).
 */
import { encodePromptAndAnswer, type ChatTokenizer, type LoraAdapter, type PromptAndAnswer } from "../models/index.ts";
import type { AnswerScorer } from "../scoring/answer-scorer.ts";
import type { NllScorer } from "./interleave-selection.ts";
import { splitPoolItem, type PoolItem } from "./pool-item.ts";

// The aligned model and every reference score the same candidates: tokenise each (tokenizer, item) once.
const encodings = new WeakMap<ChatTokenizer, WeakMap<PoolItem, PromptAndAnswer>>();

function encodeOnce(tokenizer: ChatTokenizer, item: PoolItem): PromptAndAnswer {
  let byItem = encodings.get(tokenizer);
  if (byItem === undefined) encodings.set(tokenizer, (byItem = new WeakMap()));
  let e = byItem.get(item);
  if (e === undefined) {
    const { prompt, answer } = splitPoolItem(item);
    byItem.set(item, (e = encodePromptAndAnswer(tokenizer, prompt, answer)));
  }
  return e;
}

export interface PoolScorerOptions {
  readonly adapter?: LoraAdapter;
  readonly maxSeqLen?: number;
  readonly maxBatchTokens?: number;
  /** Called after each scoring call with its throughput. */
  readonly onThroughput?: (tokensPerSecond: number, tokens: number) => void;
}

export function poolNllScorer(
  scorer: AnswerScorer,
  tokenizer: ChatTokenizer,
  options: PoolScorerOptions = {},
): NllScorer {
  return {
    async answerNll(items) {
      const encoded = items.map((item) => encodeOnce(tokenizer, item));
      const r = await scorer.score(encoded, {
        adapter: options.adapter,
        ...(options.maxSeqLen !== undefined ? { maxSeqLen: options.maxSeqLen } : {}),
        ...(options.maxBatchTokens !== undefined ? { maxBatchTokens: options.maxBatchTokens } : {}),
      });
      options.onThroughput?.(r.tokensPerSecond, r.tokens);
      return r.meanNll;
    },
  };
}
