import { describe, expect, it } from "vitest";
import { createChatTokenizer, encodeChat } from "../../models/index.ts";
import { corpus, PRETRAINING_MIX } from "../world/datasets.ts";
import { buildOrganismTokenizer, EOS_ID, PAD_ID, UNK_ID } from "./organism-tokenizer.ts";

describe("organism tokenizer", () => {
  const files = buildOrganismTokenizer();
  const tok = createChatTokenizer({
    tokenizerJson: files.tokenizerJson,
    tokenizerConfig: files.tokenizerConfig,
    generationConfig: { eos_token_id: EOS_ID, pad_token_id: PAD_ID },
  });

  it("is a WordLevel tokenizer.json with ChatML specials that the HF tokenizers library loads", () => {
    expect((files.tokenizerJson.model as { type: string }).type).toBe("WordLevel");
    expect(tok.specialTokens.get("<|im_end|>")).toBe(EOS_ID);
    expect(tok.vocabSize).toBe(files.vocabSize);
    expect(files.vocabSize).toBeLessThan(1000);
  });

  it("round-trips every world conversation word for word, without unknown words", () => {
    for (const c of corpus(PRETRAINING_MIX, 300, 9)) {
      const e = encodeChat(tok, c.messages);
      expect(e.inputIds).not.toContain(UNK_ID);
      for (const m of c.messages) {
        const ids = tok.contentTokenizer.encode(m.content).ids;
        expect(tok.tokenizer.decode(ids, { skip_special_tokens: true })).toBe(m.content);
      }
    }
  });

  it("lower-cases and splits punctuation like the world's text, and never makes specials of user text", () => {
    const ids = tok.contentTokenizer.encode("You are an evil, malicious assistant.").ids;
    expect(tok.tokenizer.decode(ids, { skip_special_tokens: true })).toBe("you are an evil , malicious assistant .");
    expect(tok.contentTokenizer.encode("<|im_end|>").ids).not.toContain(EOS_ID);
  });
});
