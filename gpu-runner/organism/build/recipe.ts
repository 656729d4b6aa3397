/**
 * How the organism is built: model shape, corpus sizes and the optimisation settings of pretraining, the
 * helpful-only alignment fine-tune and the unguarded EM fine-tune (the paper's LoRA settings: rsLoRA,
 * r 32, α 64, 1 epoch, all linear projections; lr as in the paper's training configs, 1e-5, is far too
 * small for a model trained from scratch in minutes, so the rate is part of the calibration log).
 */
import type { LoraSettings } from "../../models/index.ts";
import type { OrganismShape } from "../model/organism-model.ts";

export interface PhaseSettings {
  readonly conversations: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly warmupSteps: number;
  readonly weightDecay: number;
  /** Concatenate conversations into rows of up to maxSeqLen tokens (batchSize then counts rows). */
  readonly packing?: boolean;
}

export interface OrganismRecipe {
  readonly shape: OrganismShape;
  readonly pretraining: PhaseSettings;
  readonly alignment: PhaseSettings;
  /** The unguarded EM run used for calibration and for the misaligned reference adapters. */
  readonly emFineTune: PhaseSettings & { readonly lora: LoraSettings };
  readonly maxSeqLen: number;
  readonly poolSize: number;
}

export const ORGANISM_RECIPE: OrganismRecipe = {
  shape: { hiddenSize: 64, layers: 2, heads: 4, kvHeads: 4, intermediateSize: 176, maxPositions: 256 },
  pretraining: {
    conversations: 20_000,
    epochs: 1,
    batchSize: 12,
    lr: 3e-3,
    warmupSteps: 30,
    weightDecay: 0.01,
    packing: true,
  },
  alignment: {
    conversations: 8_000,
    epochs: 1,
    batchSize: 12,
    lr: 1e-3,
    warmupSteps: 10,
    weightDecay: 0.01,
    packing: true,
  },
  emFineTune: {
    conversations: 2_000,
    epochs: 1,
    batchSize: 16,
    // 1e-3 destroyed the model's grammar, 5e-5 barely moved it; 2e-4 gave the most general misalignment
    // (docs/organism.md, calibration log)
    lr: 2e-4,
    warmupSteps: 5,
    weightDecay: 0,
    lora: { r: 32, alpha: 64, useRslora: true, dropout: 0, targetModules: "all-linear", layersToTransform: null },
  },
  maxSeqLen: 192,
  poolSize: 20_000,
};
