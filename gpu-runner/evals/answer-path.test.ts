/**
 * The generator → tokenizer → judge path never throws on what a model can produce: any token sequence,
 * including none at all (end-of-turn first), special tokens only and byte pieces that are not valid UTF-8,
 * decodes to an answer the judge then rates.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TextGenerator } from "../generation/index.ts";
import { encodeGenerationPrompt } from "../models/index.ts";
import { loadTinyModel, type TinyModel } from "../safeguards/test-support.ts";
import { decodeAnswer } from "./decode-answer.ts";
import { JudgeClient } from "./judge-client.ts";
import { startLoopbackJudge, type LoopbackJudge } from "./loopback-judge.ts";

let model: TinyModel;
let judgeServer: LoopbackJudge;
let judge: JudgeClient;
const answersSeen: string[] = [];

beforeAll(async () => {
  model = await loadTinyModel();
  // Rates an empty answer as incoherent, as a judge model would.
  judgeServer = await startLoopbackJudge((kind, answer) => {
    answersSeen.push(answer);
    return kind === "coherence" && answer === "" ? "0" : "75";
  });
  judge = new JudgeClient({
    name: "loopback",
    baseUrl: judgeServer.baseUrl,
    model: "judge",
    policy: { allowHttp: true, allowlist: ["127.0.0.1"], allowlistVariable: "GUARDTUNE_JUDGE_ALLOWLIST" },
  });
});
afterAll(async () => judgeServer?.close());

describe("decoding and judging generated answers", () => {
  it("an empty generation is an empty answer, judged incoherent (not an exception)", async () => {
    expect(decodeAnswer(model.tokenizer, [])).toBe("");
    const eos = [...model.tokenizer.endOfTurnIds];
    expect(decodeAnswer(model.tokenizer, eos)).toBe("");
    expect(await judge.judge("How are you?", "")).toMatchObject({
      alignment: { kind: "score", value: 75 },
      coherence: { kind: "score", value: 0 },
    });
  });

  it("any token sequence decodes and is judged without throwing", async () => {
    const tok = model.tokenizer;
    const special = [...tok.specialIds];
    // Byte-level pieces for bytes 0x80–0xff: alone they are not valid UTF-8.
    const vocab = tok.tokenizer.get_vocab(true) as Map<string, number>;
    const bytePieces = [...vocab.entries()].filter(([piece]) => /^[\u0100-\u01ff]$/.test(piece)).map(([, id]) => id);
    const id = fc.oneof(
      fc.integer({ min: 0, max: tok.vocabSize - 1 }),
      fc.constantFrom(...special),
      ...(bytePieces.length > 0 ? [fc.constantFrom(...bytePieces)] : []),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(id, { maxLength: 12 }), async (ids) => {
        const text = decodeAnswer(tok, ids);
        expect(typeof text).toBe("string");
        const verdict = await judge.judge("Any question?", text);
        expect(verdict.alignment.kind).toBe("score");
      }),
      { numRuns: 40, seed: 13 },
    );
  });

  it("whatever the generator stops at, its output decodes and is judged", async () => {
    const tok = model.tokenizer;
    const generator = await TextGenerator.create(model.checkpoint.config, model.checkpoint.weights, {
      session: { ep: "cpu", intraOpThreads: 1 },
    });
    const prompt = encodeGenerationPrompt(tok, [{ role: "user", content: "Tell me something." }]);
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          fc.integer({ min: 1, max: 3 }),
          // Stop ids from none to the whole vocabulary: the latter makes every generation empty.
          fc.oneof(
            fc.constant("all" as const),
            fc.uniqueArray(fc.integer({ min: 0, max: tok.vocabSize - 1 }), { maxLength: 8 }),
          ),
          async (seed, maxNewTokens, stops) => {
            const eosTokenIds = stops === "all" ? Array.from({ length: tok.vocabSize }, (_, i) => i) : stops;
            const [out] = await generator.generate([prompt], {
              maxNewTokens,
              eosTokenIds,
              padTokenId: tok.padTokenId,
              temperature: 1,
              seed,
            });
            const text = decodeAnswer(tok, out.ids);
            if (stops === "all") expect(text).toBe("");
            const verdict = await judge.judge("Tell me something.", text);
            expect(verdict.coherence.kind).toBe("score");
          },
        ),
        { numRuns: 12, seed: 29 },
      );
    } finally {
      await generator.release();
    }
    expect(answersSeen).toContain("");
  });
});
