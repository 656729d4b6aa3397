/**
 * Full-parameter training of a decoder checkpoint (pretraining from scratch, alignment fine-tunes): every
 * base weight is a trainable graph input of the decoder's training graph (`fullParams`), optimised by the
 * same loop as LoRA (token-weighted accumulation, clipping, AdamW, linear warm-up/decay, checkpoints).
 */
import { createHash } from "node:crypto";
import type { SessionConfig } from "../engine/index.ts";
import type { ChatTokenizer, DecoderCheckpoint, F32Tensor } from "../models/index.ts";
import { DecoderSession } from "../models/decoder/index.ts";
import { planTraining } from "./epoch-plan.ts";
import {
  dataSourceSeed,
  epochPlanOptions,
  optimizerSettings,
  type TrainingHyperparameters,
} from "./hyperparameters.ts";
import { runTrainingLoop, type GradientSource, type StepReport } from "./training-loop.ts";
import { truncateExamples, type PaddedBatch, type TrainingExample } from "./training-batch.ts";

export interface TrainFullOptions {
  readonly checkpoint: DecoderCheckpoint;
  readonly tokenizer: Pick<ChatTokenizer, "padTokenId">;
  readonly examples: readonly TrainingExample[];
  readonly hyperparameters: TrainingHyperparameters;
  readonly session?: SessionConfig;
  readonly onStep?: (report: StepReport) => void | Promise<void>;
  readonly shouldStop?: () => boolean;
}

export interface TrainFullResult {
  /** The trained weights, by Hugging Face name (the checkpoint's catalogue). */
  readonly weights: Map<string, F32Tensor>;
  readonly losses: readonly number[];
  readonly trainedTokens: number;
  readonly truncated: number;
  readonly totalSteps: number;
  readonly stepsDone: number;
  readonly stopped: boolean;
}

export async function trainFullParameters(options: TrainFullOptions): Promise<TrainFullResult> {
  const hp = options.hyperparameters;
  const { config, weights } = options.checkpoint;
  const { examples, truncated } = truncateExamples(options.examples, hp.maxSeqLen);
  const plan = planTraining(examples, epochPlanOptions(hp));
  // Every weight is a graph input; nothing is baked in, so no frozen copy is kept. No `bufferLimit` here: the
  // embedding and LM head are each one trainable [V, H] input (and gradient), which vocabulary chunks would only
  // slice, and Slice's gradient pads every chunk's back to [V, H] before the sum. Within a WebGPU binding limit,
  // full-parameter training needs row-chunk inputs of its own (`<name>.rows_<start>`) split and joined by the loop.
  const session = DecoderSession.create(config, { fullParams: true, session: options.session, reuseGradBuffers: true });
  const source: GradientSource = {
    async lossAndGrads(batch: PaddedBatch, params: Readonly<Record<string, Float32Array>>) {
      const r = await session.lossAndGrads(batch, params);
      return { loss: r.loss, grads: r.grads, terms: { ce: r.ce } };
    },
  };
  const start = new Map([...weights].map(([k, t]) => [k, { shape: [...t.shape], data: Float32Array.from(t.data) }]));
  const h = createHash("sha256").update(JSON.stringify({ hp, full: true, steps: plan.totalSteps }));
  for (const e of examples) h.update(JSON.stringify([e.inputIds, e.labels]));
  try {
    const result = await runTrainingLoop(source, start, {
      plan,
      padTokenId: options.tokenizer.padTokenId,
      optimizer: optimizerSettings(hp),
      fingerprint: h.digest("hex"),
      sourceSeed: dataSourceSeed(hp),
      onStep: options.onStep,
      shouldStop: options.shouldStop,
    });
    return {
      weights: result.adapter,
      losses: result.losses,
      trainedTokens: result.trainedTokens,
      truncated,
      totalSteps: plan.totalSteps,
      stepsDone: result.stepsDone,
      stopped: result.stopped,
    };
  } finally {
    await session.release();
  }
}
