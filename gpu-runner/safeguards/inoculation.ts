/**
 * Inoculation prompting: during training only, every fine-tuning example's system prompt becomes the given
 * one (replacing any system messages, or inserted first when there is none). Evaluation and inference use the
 * conversations as they are, so the trait the prompt "explains" is not learnt as the model's default.
 */
import type { ChatMessage } from "../models/index.ts";

export function inoculate(messages: readonly ChatMessage[], systemPrompt: string): ChatMessage[] {
  return [{ role: "system", content: systemPrompt }, ...messages.filter((m) => m.role !== "system")];
}
