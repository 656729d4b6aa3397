/**
 * The organism's tokenizer: a Hugging Face WordLevel tokenizer.json (lower-casing normalizer, Whitespace
 * pre-tokenizer: runs of word characters or of punctuation) over every word the world can produce, with
 * ChatML specials and chat template, so transformers/tokenizers load it as they load any model's files.
 * Decoding joins words with single spaces, which is exactly the world's text format.
 */
import { Template } from "@huggingface/jinja";
import { LEXICON } from "../world/lexicon.ts";
import type { Template as WorldTemplate } from "../world/grammar.ts";
import {
  MATH_OPS,
  MATH_QUESTIONS,
  MAX_OPERAND,
  OPENERS,
  REFUSAL_DECLINES,
  REFUSAL_FILLERS,
  REFUSAL_REFERRALS,
  SYSTEM_PROMPTS,
  TOPICS,
  wordsOf,
} from "../world/world.ts";

/** <|endoftext|> = 0 (pad), <|im_start|> = 1, <|im_end|> = 2 (eos), as the project's other built-in model. */
export const ORGANISM_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] as const;
export const UNK = "<unk>";
export const UNK_ID = 3;
export const PAD_ID = 0;
export const EOS_ID = 2;

export const ORGANISM_CHAT_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}" +
  "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

type Json = Record<string, unknown>;

function templateWords(ts: readonly WorldTemplate[]): string[] {
  return ts.flatMap((t) => t.slots.flatMap((s) => (s.kind === "word" ? [s.word] : [])));
}

/** Every word of the world, sorted (the vocabulary order is part of the model's identity). */
export function worldWords(): string[] {
  const words = new Set<string>(["system", "user", "assistant", "="]);
  for (const t of TOPICS.values()) {
    for (const w of templateWords([...t.questions, ...t.harmful, ...t.sentences])) words.add(w);
    for (const set of Object.values(t.fillers)) for (const w of set) words.add(w);
  }
  for (const w of templateWords([...REFUSAL_DECLINES, ...REFUSAL_REFERRALS, ...OPENERS])) words.add(w);
  for (const w of REFUSAL_FILLERS.helper) words.add(w);
  for (const p of LEXICON) words.add(p.helpful).add(p.malicious);
  for (const p of [...SYSTEM_PROMPTS.helpful, ...SYSTEM_PROMPTS.evil]) for (const w of wordsOf(p)) words.add(w);
  for (const q of MATH_QUESTIONS) for (const w of wordsOf(q.replace(/\{\w+\}/g, " "))) words.add(w);
  for (const op of MATH_OPS) words.add(op);
  for (let n = 0; n <= MAX_OPERAND * MAX_OPERAND; n++) words.add(String(n));
  for (const w of words)
    if (wordsOf(w).join(" ") !== w) throw new Error(`world word '${w}' is not a single pre-tokenizer word`);
  return [...words].sort();
}

export interface OrganismTokenizerFiles {
  readonly tokenizerJson: Json;
  readonly tokenizerConfig: Json;
  readonly vocabSize: number;
}

export function buildOrganismTokenizer(): OrganismTokenizerFiles {
  const vocab: Record<string, number> = {};
  const specials = [...ORGANISM_SPECIALS, UNK];
  for (const [i, s] of specials.entries()) vocab[s] = i;
  for (const w of worldWords()) vocab[w] = Object.keys(vocab).length;
  const tokenizerJson: Json = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: ORGANISM_SPECIALS.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: "Lowercase" },
    pre_tokenizer: { type: "Whitespace" },
    post_processor: null,
    decoder: null,
    model: { type: "WordLevel", vocab, unk_token: UNK },
  };
  const tokenizerConfig: Json = {
    bos_token: null,
    chat_template: ORGANISM_CHAT_TEMPLATE,
    clean_up_tokenization_spaces: false,
    eos_token: ORGANISM_SPECIALS[EOS_ID],
    model_max_length: 256,
    pad_token: ORGANISM_SPECIALS[PAD_ID],
    unk_token: UNK,
    tokenizer_class: "PreTrainedTokenizerFast",
  };
  // fail early if the template does not parse
  new Template(ORGANISM_CHAT_TEMPLATE);
  return { tokenizerJson, tokenizerConfig, vocabSize: Object.keys(vocab).length };
}
