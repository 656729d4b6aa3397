/**
 * The hyperparameters every trainer takes (LoRA and full-parameter), and the one derivation of the epoch plan,
 * the optimizer settings and the data-source seed from them: both trainers run the same loop the same way.
 */
import type { DataSchedule, EpochPlanOptions } from "./epoch-plan.ts";
import type { OptimizerSettings } from "./training-loop.ts";

export interface TrainingHyperparameters {
  readonly epochs: number;
  readonly batchSize: number;
  /** Micro-batches per optimizer step (default 1). */
  readonly gradAccumulation?: number;
  readonly lr: number;
  /** Linear warm-up steps (default 0); the rate then decays linearly to zero. */
  readonly warmupSteps?: number;
  /** AdamW decoupled weight decay (default 0). */
  readonly weightDecay?: number;
  readonly maxSeqLen: number;
  /** Data order, LoRA initialisation and dropout masks. */
  readonly seed: number;
  /** Global gradient-norm clip (default 1.0, transformers' default); null disables it. */
  readonly maxGradNorm?: number | null;
  /** Concatenate short examples into rows of up to maxSeqLen tokens (default false). */
  readonly packing?: boolean;
  /** Shuffle each epoch (default true). */
  readonly shuffle?: boolean;
}

/** How the epochs are planned from the hyperparameters (and a defense's data schedule, if any). */
export function epochPlanOptions(hp: TrainingHyperparameters, schedule?: DataSchedule): EpochPlanOptions {
  return {
    epochs: hp.epochs,
    batchSize: hp.batchSize,
    gradAccumulation: hp.gradAccumulation ?? 1,
    maxSeqLen: hp.maxSeqLen,
    seed: hp.seed,
    shuffle: hp.shuffle,
    packing: hp.packing,
    schedule,
  };
}

/** AdamW with linear warm-up and decay, from the hyperparameters' defaults (no warm-up, no decay, clip 1.0). */
export function optimizerSettings(hp: TrainingHyperparameters): OptimizerSettings {
  return { lr: hp.lr, warmupSteps: hp.warmupSteps ?? 0, weightDecay: hp.weightDecay ?? 0, maxGradNorm: hp.maxGradNorm };
}

/** Seed of the loop's own draws (dropout masks), apart from the data order's: the two streams never coincide. */
export const dataSourceSeed = (hp: TrainingHyperparameters): number => (hp.seed ^ 0x5bd1e995) >>> 0;
