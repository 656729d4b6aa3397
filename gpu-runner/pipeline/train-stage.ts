import type { JobConfig } from "../../core/jobs/job-config.ts";
import type { SessionConfig } from "../engine/index.ts";
import type { ChatTokenizer, DecoderCheckpoint, LoraSettings } from "../models/index.ts";
import type { TrainingCheckpoint } from "../training/checkpoint-state.ts";
import { trainAdapter, type TrainAdapterResult, type TrainingHooks } from "../training/train-adapter.ts";
import type { StepReport } from "../training/training-loop.ts";
import type { TrainingExample } from "../training/training-batch.ts";

export interface TrainStageInput {
  config: JobConfig;
  modelId: string;
  checkpoint: DecoderCheckpoint;
  tokenizer: ChatTokenizer;
  /** The examples training sees (held-out evaluation data already removed). */
  examples: readonly TrainingExample[];
  /** What the safeguards contribute (see `prepareSafeguards`). */
  hooks: TrainingHooks;
  session: SessionConfig;
  checkpointEvery: number;
  resumeFrom: TrainingCheckpoint | undefined;
  onStep(report: StepReport): Promise<void>;
  shouldStop(): boolean;
  saveCheckpoint(state: TrainingCheckpoint): Promise<void>;
}

export function loraSettingsOf(config: JobConfig): LoraSettings {
  const lora = config.method.hyperparameters.lora;
  return {
    r: lora.rank,
    alpha: lora.alpha,
    useRslora: lora.rslora,
    dropout: lora.dropout,
    targetModules: lora.target_modules,
    layersToTransform: null,
  };
}

/** The job's hyper-parameters in the trainer's terms, then LoRA training with checkpoints and stopping. */
export function runTrainStage(input: TrainStageInput): Promise<TrainAdapterResult> {
  const hp = input.config.method.hyperparameters;
  return trainAdapter({
    checkpoint: input.checkpoint,
    tokenizer: input.tokenizer,
    examples: input.examples,
    hyperparameters: {
      epochs: hp.n_epochs,
      batchSize: hp.batch_size,
      lr: hp.learning_rate,
      warmupSteps: hp.warmup_steps,
      maxSeqLen: hp.max_seq_len,
      seed: input.config.seed,
    },
    lora: loraSettingsOf(input.config),
    baseModelNameOrPath: input.modelId,
    objective: input.hooks.objective,
    steering: input.hooks.steering,
    schedule: input.hooks.schedule,
    session: input.session,
    onStep: input.onStep,
    shouldStop: input.shouldStop,
    checkpointEvery: input.checkpointEvery,
    saveCheckpoint: input.saveCheckpoint,
    resumeFrom: input.resumeFrom,
  });
}
