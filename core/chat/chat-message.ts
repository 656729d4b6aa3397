/** The one chat-message shape: what datasets normalise to, and what the runner's chat templates render. */
export const CHAT_ROLES = ["system", "user", "assistant"] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

export interface ChatMessage {
  role: ChatRole;
  content: string;
  /** OpenAI's per-message training weight (assistant messages only): 0 keeps the turn in the context but out of the loss. Absent means 1. */
  weight?: 0 | 1;
}
