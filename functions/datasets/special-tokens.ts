/**
 * Text that looks like the control tokens of common chat templates (ChatML/Qwen, Llama 2/3, Mistral,
 * Gemma, DeepSeek, Phi). Such text in user data is legal, but it must be tokenized as plain text and never
 * mapped to the special token it imitates, so the report points it out.
 */
const SPECIAL_TOKEN_PATTERN =
  /<\|[A-Za-z0-9_.:\- ]{1,40}\|>|<\uFF5C[^<>\n]{1,40}\uFF5C>|<\/?s>|\[\/?INST\]|<<\/?SYS>>|<\/?(?:start_of_turn|end_of_turn|bos|eos|pad|unk|think)>/;

/** The first special-token lookalike in `text`, or undefined. */
export function findSpecialTokenLookalike(text: string): string | undefined {
  // Cheap pre-check: every pattern above contains one of these characters.
  if (!text.includes("<") && !text.includes("[")) return undefined;
  return SPECIAL_TOKEN_PATTERN.exec(text)?.[0];
}
