/**
 * A candidate for interleaving: a conversation whose last message is the assistant answer. The answer is
 * what the perplexity-gap score measures (mean NLL over its tokens given everything before it).
 */
import type { ChatMessage } from "../models/index.ts";

export interface PoolItem {
  /** Stable identifier for reports (the built-in pool's key, or `line:<n>` of a pool dataset). */
  readonly id: string;
  readonly messages: readonly ChatMessage[];
}

/** The prompt part (everything before the final assistant answer) and the answer. */
export function splitPoolItem(item: PoolItem): { prompt: readonly ChatMessage[]; answer: string } {
  const last = item.messages[item.messages.length - 1];
  if (last === undefined || last.role !== "assistant") {
    throw new RangeError(`pool item ${item.id} must end with an assistant message`);
  }
  return { prompt: item.messages.slice(0, -1), answer: last.content };
}
