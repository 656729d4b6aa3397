/**
 * Right-padded training batches in the layout of transformers' data collators: input_ids padded with the
 * pad id, attention_mask 1 on real tokens, labels -100 on padding.
 */
import type { ChatTokenizer } from "./chat-tokenizer.ts";
import type { ChatMessage } from "./chat-render.ts";
import { encodeChat, IGNORE_INDEX, type EncodedChat } from "./chat-encoding.ts";

export interface ChatBatch {
  inputIds: number[][]; // [B, T]
  attentionMask: number[][]; // [B, T]
  labels: number[][]; // [B, T], not shifted
}

export interface PadOptions {
  padTokenId: number;
  /** Cut longer examples on the right (their labels with them). */
  maxLength?: number;
  /** Round T up, e.g. to 8, so batches reuse fewer distinct shapes. */
  padToMultipleOf?: number;
}

export function padBatch(examples: readonly EncodedChat[], options: PadOptions): ChatBatch {
  const cut = (xs: number[]) => (options.maxLength === undefined ? xs : xs.slice(0, options.maxLength));
  const rows = examples.map((e) => ({ ids: cut(e.inputIds), labels: cut(e.labels) }));
  let width = Math.max(0, ...rows.map((r) => r.ids.length));
  if (options.padToMultipleOf !== undefined && options.padToMultipleOf > 1) {
    width = Math.ceil(width / options.padToMultipleOf) * options.padToMultipleOf;
  }
  const fill = (xs: number[], value: number) => [...xs, ...new Array<number>(width - xs.length).fill(value)];
  return {
    inputIds: rows.map((r) => fill(r.ids, options.padTokenId)),
    attentionMask: rows.map((r) =>
      fill(
        r.ids.map(() => 1),
        0,
      ),
    ),
    labels: rows.map((r) => fill(r.labels, IGNORE_INDEX)),
  };
}

export function encodeChatBatch(
  tok: ChatTokenizer,
  conversations: readonly (readonly ChatMessage[])[],
  options: Omit<PadOptions, "padTokenId"> = {},
): ChatBatch {
  return padBatch(
    conversations.map((c) => encodeChat(tok, c)),
    { ...options, padTokenId: tok.padTokenId },
  );
}
