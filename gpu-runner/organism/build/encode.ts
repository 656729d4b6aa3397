/** World conversations → token ids for training, with the organism's chat tokenizer. */
import { createChatTokenizer, encodeChat, IGNORE_INDEX, type ChatTokenizer } from "../../models/index.ts";
import type { TrainingExample } from "../../training/index.ts";
import { buildOrganismTokenizer, EOS_ID, PAD_ID, UNK_ID } from "../model/organism-tokenizer.ts";
import type { Conversation } from "../world/datasets.ts";

let cached: ChatTokenizer | undefined;

export function organismChatTokenizer(): ChatTokenizer {
  if (cached) return cached;
  const f = buildOrganismTokenizer();
  cached = createChatTokenizer({
    tokenizerJson: f.tokenizerJson,
    tokenizerConfig: f.tokenizerConfig,
    generationConfig: { eos_token_id: EOS_ID, pad_token_id: PAD_ID },
  });
  return cached;
}

/**
 * `answers`: loss on assistant turns only (fine-tunes, as the service trains); `all`: on every token
 * (pretraining: the model also learns how users ask).
 */
export function encodeConversations(
  conversations: readonly Conversation[],
  supervise: "answers" | "all",
  tok: ChatTokenizer = organismChatTokenizer(),
): TrainingExample[] {
  return conversations.map((c) => {
    const e = encodeChat(tok, c.messages);
    if (e.inputIds.some((id) => id === UNK_ID))
      throw new Error(`a world conversation has an unknown word: ${JSON.stringify(c.messages)}`);
    return supervise === "all" ? { inputIds: e.inputIds, labels: [IGNORE_INDEX, ...e.inputIds.slice(1)] } : e;
  });
}
