import type { ChatTokenizer } from "../models/index.ts";

/**
 * The text of a generated answer. A model may stop at once (its first token is end-of-turn) or produce only
 * special tokens: that is an empty answer, judged like any other, never an error. Byte pieces that do not
 * form valid UTF-8 decode to replacement characters.
 */
export function decodeAnswer(tokenizer: ChatTokenizer, ids: readonly number[]): string {
  // [T] generated ids; the tokenizer library refuses an empty list, and an id outside the vocabulary has no text
  const known = ids.filter((id) => Number.isInteger(id) && id >= 0 && id < tokenizer.vocabSize);
  if (known.length === 0) return "";
  return tokenizer.tokenizer.decode(known, { skip_special_tokens: true });
}
