/**
 * A Llama 2 / TinyLlama style tokenizer (sentencepiece BPE: "▁" for spaces, a prepended "▁", byte
 * fallback tokens) with an [INST] template: token-to-text alignment must hold without byte-level BPE.
 */
import { describe, expect, it } from "vitest";
import { encodeChat } from "./chat-encoding.ts";
import { renderChat, type ChatMessage } from "./chat-render.ts";
import { createChatTokenizer } from "./chat-tokenizer.ts";

const specials = ["<unk>", "<s>", "</s>"];
const vocab: Record<string, number> = {};
specials.forEach((s, i) => (vocab[s] = i));
for (let b = 0; b < 256; b++) vocab[`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`] = 3 + b;
const merges: [string, string][] = [
  ["▁", "t"],
  ["h", "e"],
  ["▁t", "he"],
  ["I", "N"],
  ["IN", "S"],
  ["INS", "T"],
];
for (const ch of "▁abcdefghijklmnopqrstuvwxyzINST") vocab[ch] ??= Object.keys(vocab).length;
for (const [a, b] of merges) vocab[a + b] = Object.keys(vocab).length;

const tokenizerJson = {
  version: "1.0",
  truncation: null,
  padding: null,
  added_tokens: specials.map((content, id) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  })),
  normalizer: {
    type: "Sequence",
    normalizers: [
      { type: "Prepend", prepend: "▁" },
      { type: "Replace", pattern: { String: " " }, content: "▁" },
    ],
  },
  pre_tokenizer: null,
  post_processor: null,
  decoder: {
    type: "Sequence",
    decoders: [
      { type: "Replace", pattern: { String: "▁" }, content: " " },
      { type: "ByteFallback" },
      { type: "Fuse" },
      { type: "Strip", content: " ", start: 1, stop: 0 },
    ],
  },
  model: {
    type: "BPE",
    dropout: null,
    unk_token: "<unk>",
    continuing_subword_prefix: null,
    end_of_word_suffix: null,
    fuse_unk: true,
    byte_fallback: true,
    ignore_merges: false,
    vocab,
    merges,
  },
};
const template =
  "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'user' %}[INST] {{ m['content'] }} [/INST]" +
  "{% else %} {{ m['content'] }}{{ eos_token }}{% endif %}{% endfor %}";
const tok = createChatTokenizer({
  tokenizerJson,
  tokenizerConfig: { bos_token: "<s>", eos_token: "</s>", unk_token: "<unk>", chat_template: template },
});

describe("sentencepiece-style tokenizers", () => {
  it("is recognised as not byte-level", () => {
    expect(tok.byteLevel).toBe(false);
  });

  it("aligns tokens (prefix ▁, byte fallback, non-ASCII) and supervises answer plus </s>", () => {
    const chat: ChatMessage[] = [
      { role: "user", content: "the Ünïcode test" },
      { role: "assistant", content: "the answer é!" },
      { role: "user", content: "again </s>" },
      { role: "assistant", content: "ok" },
    ];
    const { inputIds, labels } = encodeChat(tok, chat);
    const supervised = labels.filter((l) => l !== -100);
    expect(supervised.filter((id) => id === 2)).toHaveLength(2);
    expect(tok.tokenizer.decode(supervised)).toBe("the answer é!</s>ok</s>"); // the space before "ok" is template text;
    expect(inputIds.filter((id) => id === 2)).toHaveLength(2); // the user's "</s>" stays text
  });

  it("tokenizes like the plain tokenizer when content holds no special text", () => {
    const chat: ChatMessage[] = [
      { role: "user", content: "the test" },
      { role: "assistant", content: "the end" },
      { role: "user", content: "more" },
      { role: "assistant", content: "ok" },
    ];
    expect(encodeChat(tok, chat).inputIds).toEqual(
      tok.tokenizer.encode(renderChat(tok, chat), { add_special_tokens: false }).ids,
    );
  });
});
