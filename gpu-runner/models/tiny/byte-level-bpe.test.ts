import { describe, expect, it } from "vitest";
import { createChatTokenizer } from "../tokenizer/chat-tokenizer.ts";
import {
  applyMerges,
  buildByteLevelTokenizerJson,
  byteToUnicode,
  GPT2_PATTERN,
  learnMerges,
} from "./byte-level-bpe.ts";
import { TINY_CORPUS } from "./tiny-corpus.ts";
import { CHATML_TEMPLATE } from "./tiny-random-model.ts";

const SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"];
const json = buildByteLevelTokenizerJson({ corpus: TINY_CORPUS, merges: 40, specials: SPECIALS });
const tok = createChatTokenizer({
  tokenizerJson: json,
  tokenizerConfig: { eos_token: "<|im_end|>", pad_token: "<|endoftext|>", chat_template: CHATML_TEMPLATE },
});

describe("byte-level BPE tokenizer.json", () => {
  it("maps all 256 bytes to distinct printable characters like GPT-2", () => {
    const table = byteToUnicode();
    expect(new Set(table).size).toBe(256);
    expect([table[0x20], table[0x0a], table[0x41]]).toEqual(["\u0120", "\u010a", "A"]);
  });

  it("puts specials first, then bytes, then merges, and loads in @huggingface/tokenizers", () => {
    expect(tok.vocabSize).toBe(3 + 256 + 40);
    expect(tok.tokenizer.token_to_id("<|im_end|>")).toBe(2);
    expect(tok.eosTokenId).toBe(2);
    expect(tok.padTokenId).toBe(0);
    expect(tok.byteLevel).toBe(true);
  });

  it("encodes every corpus word exactly as our reference merge application", () => {
    const alphabet = byteToUnicode();
    const merges = learnMerges(TINY_CORPUS, 40);
    for (const match of TINY_CORPUS.matchAll(GPT2_PATTERN)) {
      const word = [...new TextEncoder().encode(match[0])].map((b) => alphabet[b]).join("");
      expect(tok.tokenizer.tokenize(match[0])).toEqual(applyMerges(word, merges));
    }
  });

  it("compresses the text it was trained on and round-trips arbitrary text", () => {
    const ids = tok.tokenizer.encode(TINY_CORPUS, { add_special_tokens: false }).ids;
    expect(ids.length).toBeLessThan(0.75 * new TextEncoder().encode(TINY_CORPUS).length);
    const text = "Grüße, 世界! tabs\tand  spaces\n\nemoji 🙂 <|im_start|>";
    const encoded = tok.tokenizer.encode(text, { add_special_tokens: false }).ids;
    expect(encoded).toContain(1);
    expect(tok.tokenizer.decode(encoded, { clean_up_tokenization_spaces: false })).toBe(text);
  });
});
