/**
 * What the evaluations need from a model: the mean NLL of answers given prompts (likelihood probe, in-domain
 * loss) and sampled answers to questions (broad misalignment). `engineModelUnderTest` provides both from
 * the engine's scoring path and KV-cache generator, for the base model (no adapter) or the fine-tuned one.
 * Neither path ever applies a steering vector or an inoculation prompt: evaluation sees the model as it will
 * be served.
 */
import { decodeAnswer } from "./decode-answer.ts";
import { TextGenerator } from "../generation/text-generator.ts";
import {
  encodeGenerationPrompt,
  encodePromptAndAnswer,
  type ChatMessage,
  type ChatTokenizer,
  type DecoderCheckpoint,
  type LoraAdapter,
} from "../models/index.ts";
import type { AnswerScorer } from "../scoring/answer-scorer.ts";
import type { SessionConfig } from "../engine/index.ts";

export interface PromptedAnswer {
  readonly prompt: readonly ChatMessage[];
  readonly answer: string;
}

export interface AnswerLikelihood {
  /** Mean NLL per answer token, per item (NaN for an item without answer tokens). */
  readonly meanNll: Float64Array;
  /** Answer tokens scored per item. */
  readonly answerTokens: Int32Array;
}

export interface SamplingRequest {
  readonly samplesPerQuestion: number;
  readonly maxTokens: number;
  readonly temperature: number;
  readonly seed: number;
}

/** A general question, asked as one user turn, optionally under a system prompt. */
export interface EvalQuestion {
  readonly system?: string;
  readonly question: string;
}

export interface ModelUnderTest {
  answerNll(items: readonly PromptedAnswer[]): Promise<AnswerLikelihood>;
  /** For each question, `samplesPerQuestion` answers. */
  sample(questions: readonly EvalQuestion[], request: SamplingRequest): Promise<string[][]>;
}

export interface EngineModelOptions {
  readonly checkpoint: DecoderCheckpoint;
  readonly tokenizer: ChatTokenizer;
  /** Shared scorer of the base model (adapters are fed per call). */
  readonly scorer: AnswerScorer;
  /** The fine-tuned adapter; absent = the base model. */
  readonly adapter?: LoraAdapter;
  readonly session?: SessionConfig;
  readonly maxSeqLen?: number;
}

/** A model under test backed by the engine: answer likelihoods from the scorer, answers from the generator. */
export function engineModelUnderTest(o: EngineModelOptions): ModelUnderTest {
  return {
    async answerNll(items) {
      const encoded = items.map((it) => encodePromptAndAnswer(o.tokenizer, it.prompt, it.answer));
      const r = await o.scorer.score(encoded, {
        adapter: o.adapter,
        ...(o.maxSeqLen !== undefined ? { maxSeqLen: o.maxSeqLen } : {}),
      });
      return { meanNll: r.meanNll, answerTokens: Int32Array.from(encoded.map((e) => e.answerIds.length)) };
    },
    async sample(questions, request) {
      const prompts = questions.flatMap((q) =>
        Array.from({ length: request.samplesPerQuestion }, () =>
          encodeGenerationPrompt(o.tokenizer, [
            ...(q.system !== undefined ? [{ role: "system" as const, content: q.system }] : []),
            { role: "user", content: q.question },
          ]),
        ),
      );
      const generator = await TextGenerator.create(o.checkpoint.config, o.checkpoint.weights, {
        adapter: o.adapter,
        session: o.session,
      });
      try {
        const out = await generator.generate(prompts, {
          maxNewTokens: request.maxTokens,
          eosTokenIds: [...o.tokenizer.endOfTurnIds],
          padTokenId: o.tokenizer.padTokenId,
          temperature: request.temperature,
          seed: request.seed,
        });
        const texts = out.map((g) => decodeAnswer(o.tokenizer, g.ids));
        return questions.map((_, q) =>
          texts.slice(q * request.samplesPerQuestion, (q + 1) * request.samplesPerQuestion),
        );
      } finally {
        await generator.release();
      }
    },
  };
}
