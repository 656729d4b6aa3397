/**
 * Renders a conversation with the model's chat template and locates every message's content in the
 * output. The template is rendered once with placeholders in place of contents, so the text around them
 * is known to come from the template (trusted), and once with the real contents to check that the
 * template copies content verbatim (or trimmed, as Llama 3's `| trim` does).
 */
import { ModelFileError } from "../model-file-error.ts";
import type { ChatTokenizer } from "./chat-tokenizer.ts";
import type { TextPiece } from "./piece-encoder.ts";

import { CHAT_ROLES, type ChatMessage } from "../../../core/chat/chat-message.ts";

export { CHAT_ROLES, type ChatMessage, type ChatRole } from "../../../core/chat/chat-message.ts";

// Plane-15 private-use code points never appear in chat templates.
const OPEN = "\u{F0000}";
const CLOSE = "\u{F0001}";
const PLACEHOLDER = new RegExp(`${OPEN}(\\d+)${CLOSE}`, "gu");

/** Roles are rendered as template text, so they must be one of the known roles. */
function checkMessages(messages: readonly ChatMessage[]): void {
  messages.forEach((m, i) => {
    if (!(CHAT_ROLES as readonly string[]).includes(m.role)) {
      throw new ModelFileError(
        "unsafe_message",
        `message ${i} has role '${String(m.role)}'; expected ${CHAT_ROLES.join(", ")}`,
      );
    }
    if (typeof m.content !== "string")
      throw new ModelFileError("unsafe_message", `message ${i} content is not a string`);
  });
}

function render(tok: ChatTokenizer, messages: readonly ChatMessage[], addGenerationPrompt: boolean): string {
  try {
    return tok.chatTemplate.render({
      ...tok.templateContext,
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      add_generation_prompt: addGenerationPrompt,
      // a fixed date keeps renders reproducible for templates that print one (Llama 3)
      date_string: "26 Jul 2024",
    });
  } catch (cause) {
    throw new ModelFileError("chat_template_invalid", "chat template failed to render", undefined, { cause });
  }
}

/** The chat template's output as a plain string, exactly what transformers' apply_chat_template returns. */
export function renderChat(tok: ChatTokenizer, messages: readonly ChatMessage[], addGenerationPrompt = false): string {
  checkMessages(messages);
  return render(tok, messages, addGenerationPrompt);
}

/** The rendered conversation as template pieces (owner -1) and content pieces (owner = message index). */
export function renderChatPieces(
  tok: ChatTokenizer,
  messages: readonly ChatMessage[],
  addGenerationPrompt = false,
): TextPiece[] {
  checkMessages(messages);
  const skeleton = render(
    tok,
    messages.map((m, i) => ({ role: m.role, content: `${OPEN}${i}${CLOSE}` })),
    addGenerationPrompt,
  );
  const real = render(tok, messages, addGenerationPrompt);
  for (const transform of [(s: string) => s, (s: string) => s.trim()]) {
    const pieces = fillPlaceholders(skeleton, messages, transform);
    if (pieces.map((p) => p.text).join("") === real) return pieces.filter((p) => p.text.length > 0 || p.owner >= 0);
  }
  throw new ModelFileError(
    "chat_template_invalid",
    "the chat template changes message content (beyond trimming) or branches on it; content cannot be located in its output",
  );
}

function fillPlaceholders(
  skeleton: string,
  messages: readonly ChatMessage[],
  transform: (s: string) => string,
): TextPiece[] {
  const pieces: TextPiece[] = [];
  let last = 0;
  for (const match of skeleton.matchAll(PLACEHOLDER)) {
    const index = Number(match[1]);
    pieces.push({ text: skeleton.slice(last, match.index), owner: -1 });
    pieces.push({ text: transform(messages[index].content), owner: index });
    last = match.index + match[0].length;
  }
  pieces.push({ text: skeleton.slice(last), owner: -1 });
  return pieces;
}
