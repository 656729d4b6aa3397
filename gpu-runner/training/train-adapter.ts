/**
 * LoRA fine-tuning of a decoder checkpoint: plans the epochs, builds the decoder's training graph with the
 * requested objective (cross-entropy, optionally KL to the adapter-off model and LDIFS), optional preventative
 * steering, and runs the optimisation loop with checkpoints and cooperative stopping.
 */
import { createHash } from "node:crypto";
import { Rng, type SessionConfig } from "../engine/index.ts";
import {
  createLoraAdapter,
  loraTargets,
  projectionShape,
  type ChatTokenizer,
  type DecoderCheckpoint,
  type F32Tensor,
  type LoraAdapter,
  type LoraSettings,
} from "../models/index.ts";
import { DecoderSession, deviceBufferLayout, dropoutMaskName, type LossSpec } from "../models/decoder/index.ts";
import type { TrainingCheckpoint } from "./checkpoint-state.ts";
import { planTraining, type DataSchedule } from "./epoch-plan.ts";
import { runTrainingLoop, type GradientSource, type StepReport } from "./training-loop.ts";
import { truncateExamples, type PaddedBatch, type TrainingExample } from "./training-batch.ts";
import {
  dataSourceSeed,
  epochPlanOptions,
  optimizerSettings,
  type TrainingHyperparameters,
} from "./hyperparameters.ts";

export type { TrainingHyperparameters } from "./hyperparameters.ts";

/**
 * Preventative steering: α·vector is added to the residual stream after block `layer` during training, in the
 * adapted pass and in the reference pass of the KL/LDIFS terms.
 */
export interface SteeringSettings {
  readonly layer: number;
  readonly vector: Float32Array; // [H]
  readonly alpha: number;
}

export interface TrainAdapterOptions {
  readonly checkpoint: DecoderCheckpoint;
  readonly tokenizer: Pick<ChatTokenizer, "padTokenId">;
  readonly examples: readonly TrainingExample[];
  readonly hyperparameters: TrainingHyperparameters;
  readonly lora: LoraSettings;
  /** Start from this adapter instead of a fresh PEFT-style initialisation. */
  readonly initialAdapter?: LoraAdapter;
  /** Recorded in adapter_config.json. */
  readonly baseModelNameOrPath?: string | null;
  /** The training objective (default: cross-entropy only). */
  readonly objective?: LossSpec;
  readonly steering?: SteeringSettings;
  readonly schedule?: DataSchedule;
  readonly session?: SessionConfig;
  readonly onStep?: (report: StepReport) => void | Promise<void>;
  readonly shouldStop?: () => boolean;
  readonly checkpointEvery?: number;
  readonly saveCheckpoint?: (state: TrainingCheckpoint) => void | Promise<void>;
  readonly resumeFrom?: TrainingCheckpoint;
}

/** What defenses contribute to training: extra objective terms, steering, and the epoch data schedule. */
export type TrainingHooks = Pick<TrainAdapterOptions, "objective" | "steering" | "schedule">;

export interface TrainAdapterResult {
  readonly adapter: LoraAdapter;
  /** Loss of every optimizer step (including steps before a resume). */
  readonly losses: readonly number[];
  /** Non-pad tokens trained on (every epoch counted). */
  readonly trainedTokens: number;
  /** Examples cut to max_seq_len. */
  readonly truncated: number;
  readonly totalSteps: number;
  readonly stepsDone: number;
  /** True when `shouldStop` ended training early; resume from `checkpoint`. */
  readonly stopped: boolean;
  readonly checkpoint: TrainingCheckpoint;
}

/** Fresh PEFT initialisation from the job's seed (the same adapter on every attempt). */
function initialAdapter(options: TrainAdapterOptions): LoraAdapter {
  if (options.initialAdapter) return options.initialAdapter;
  return createLoraAdapter(
    options.checkpoint.config,
    options.lora,
    new Rng(options.hyperparameters.seed),
    options.baseModelNameOrPath ?? null,
  );
}

/** Identifies data + settings, so that a checkpoint is only resumed by the run that wrote it. */
function fingerprint(options: TrainAdapterOptions, examples: readonly TrainingExample[], totalSteps: number): string {
  const h = createHash("sha256");
  const { steering } = options;
  h.update(
    JSON.stringify({
      hp: options.hyperparameters,
      lora: options.lora,
      objective: options.objective ?? null,
      totalSteps,
    }),
  );
  if (steering)
    h.update(JSON.stringify({ layer: steering.layer, alpha: steering.alpha, steerReference: true })).update(
      new Uint8Array(steering.vector.buffer, steering.vector.byteOffset, steering.vector.byteLength),
    );
  for (const e of examples) h.update(JSON.stringify([e.inputIds, e.labels]));
  return h.digest("hex");
}

export async function trainAdapter(options: TrainAdapterOptions): Promise<TrainAdapterResult> {
  const hp = options.hyperparameters;
  const { config } = options.checkpoint;
  const { examples, truncated } = truncateExamples(options.examples, hp.maxSeqLen);
  const plan = planTraining(examples, epochPlanOptions(hp, options.schedule), options.resumeFrom?.epochOrders);
  const start = initialAdapter(options);
  const steering = options.steering;
  // On WebGPU every tensor stays within the adapter's binding limit for the plan's largest batch (decoder-vocab,
  // decoder-mlp); small models are unchanged by it.
  const layout = await deviceBufferLayout(options.session?.ep, hp.batchSize * hp.maxSeqLen);
  const session = DecoderSession.create(config, {
    ...layout,
    weights: options.checkpoint.weights,
    lora: options.lora,
    objective: options.objective,
    steeringLayer: steering?.layer,
    // KL/LDIFS compare with the steered base model: the regulariser must not pull against the steering itself
    steerReference: steering !== undefined,
    session: options.session,
    reuseGradBuffers: true,
  });
  const steeringVector = steering && Float32Array.from(steering.vector, (x) => Math.fround(x * steering.alpha));
  const masks =
    options.lora.dropout > 0
      ? loraTargets(options.lora, config).map((t) => ({
          name: dropoutMaskName(t),
          inFeatures: projectionShape(config, t.projection).in,
        }))
      : [];
  const source: GradientSource = {
    async lossAndGrads(batch: PaddedBatch, params: Readonly<Record<string, Float32Array>>, rng: Rng) {
      const dropoutMasks =
        masks.length === 0 ? undefined : keepMasks(masks, batch.batchSize * batch.seqLen, options.lora.dropout, rng);
      const r = await session.lossAndGrads({ ...batch, steeringVector, dropoutMasks }, params);
      return { loss: r.loss, grads: r.grads, terms: { ce: r.ce, ...r.terms } };
    },
  };
  try {
    const result = await runTrainingLoop(source, start.tensors, {
      plan,
      padTokenId: options.tokenizer.padTokenId,
      optimizer: optimizerSettings(hp),
      fingerprint: fingerprint(options, examples, plan.totalSteps),
      sourceSeed: dataSourceSeed(hp),
      onStep: options.onStep,
      shouldStop: options.shouldStop,
      checkpointEvery: options.checkpointEvery,
      saveCheckpoint: options.saveCheckpoint,
      resumeFrom: options.resumeFrom,
    });
    const tensors: Map<string, F32Tensor> = result.adapter;
    return {
      adapter: { settings: start.settings, config: start.config, tensors },
      losses: result.losses,
      trainedTokens: result.trainedTokens,
      truncated,
      totalSteps: plan.totalSteps,
      stepsDone: result.stepsDone,
      stopped: result.stopped,
      checkpoint: result.checkpoint,
    };
  } finally {
    await session.release();
  }
}

/** 0/1 keep-masks [B·T·in] per LoRA-adapted projection, drawn in target order. */
function keepMasks(
  masks: readonly { name: string; inFeatures: number }[],
  tokens: number,
  p: number,
  rng: Rng,
): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const { name, inFeatures } of masks) {
    const m = new Float32Array(tokens * inFeatures);
    for (let i = 0; i < m.length; i++) m[i] = rng.uniform() < p ? 0 : 1;
    out[name] = m;
  }
  return out;
}
