/**
 * Conversations to token ids with assistant-only labels, the training format: labels equal input_ids
 * (not shifted) on the tokens of assistant turns, their content plus the end-of-turn token that closes
 * them, and -100 everywhere else (system and user turns, role headers, the newline after end-of-turn).
 */
import { ModelFileError } from "../model-file-error.ts";
import type { ChatTokenizer } from "./chat-tokenizer.ts";
import { renderChatPieces, type ChatMessage } from "./chat-render.ts";
import { encodePieces } from "./piece-encoder.ts";

export const IGNORE_INDEX = -100;

export interface EncodedChat {
  inputIds: number[];
  labels: number[];
}

interface LabelledChat extends EncodedChat {
  /** For each supervised token, the assistant message it belongs to (-1 where unsupervised). */
  labelOwners: number[];
}

function encodeLabelled(
  tok: ChatTokenizer,
  messages: readonly ChatMessage[],
  addGenerationPrompt: boolean,
): LabelledChat {
  const { ids, owners } = encodePieces(tok, renderChatPieces(tok, messages, addGenerationPrompt));
  const labelOwners = owners.map((o) =>
    o >= 0 && messages[o].role === "assistant" && messages[o].weight !== 0 ? o : -1,
  );
  // extend each assistant run through the template tokens up to its end-of-turn token
  for (let i = 0; i < ids.length; i++) {
    const turn = labelOwners[i];
    if (turn < 0 || (i + 1 < ids.length && labelOwners[i + 1] === turn)) continue;
    for (let j = i + 1; j < ids.length && owners[j] < 0; j++) {
      if (tok.endOfTurnIds.has(ids[j])) {
        for (let k = i + 1; k <= j; k++) labelOwners[k] = turn;
        i = j;
        break;
      }
    }
  }
  return { inputIds: ids, labels: ids.map((id, i) => (labelOwners[i] >= 0 ? id : IGNORE_INDEX)), labelOwners };
}

/** A whole conversation for training. Message contents never become special tokens. */
export function encodeChat(tok: ChatTokenizer, messages: readonly ChatMessage[]): EncodedChat {
  const { inputIds, labels } = encodeLabelled(tok, messages, false);
  return { inputIds, labels };
}

/** The prompt for generation: the conversation so far plus the template's assistant header. */
export function encodeGenerationPrompt(tok: ChatTokenizer, messages: readonly ChatMessage[]): number[] {
  if (messages.length > 0 && messages[messages.length - 1].role === "assistant") {
    throw new ModelFileError("unsafe_message", "a generation prompt cannot end with an assistant message");
  }
  return encodeLabelled(tok, messages, true).inputIds;
}

export interface PromptAndAnswer {
  promptIds: number[];
  /** The answer's supervised tokens: its content and the end-of-turn token. */
  answerIds: number[];
}

/**
 * Splits prompt+answer the way training sees it, for per-example NLL over answer tokens: promptIds ++
 * answerIds is a prefix of `encodeChat([...messages, { role: "assistant", content: answer }])`.
 */
export function encodePromptAndAnswer(
  tok: ChatTokenizer,
  messages: readonly ChatMessage[],
  answer: string,
): PromptAndAnswer {
  const all = [...messages, { role: "assistant" as const, content: answer }];
  const { inputIds, labelOwners } = encodeLabelled(tok, all, false);
  const answerTurn = all.length - 1;
  const first = labelOwners.indexOf(answerTurn);
  const last = labelOwners.lastIndexOf(answerTurn);
  if (first < 0)
    throw new ModelFileError("chat_template_invalid", "the chat template produced no tokens for the answer");
  return { promptIds: inputIds.slice(0, first), answerIds: inputIds.slice(first, last + 1) };
}
