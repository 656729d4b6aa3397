/**
 * How the organism is built: model shape, corpus sizes and the optimisation settings of pretraining, the
 * helpful-only alignment fine-tune and the unguarded EM fine-tune (the paper's LoRA settings: rsLoRA,
 * r 32, α 64, 1 epoch, all linear projections; the learning rate is calibrated, every value tried is in the
 * calibration log of docs/organism.md).
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
  // ~1M parameters: hidden 64 × 2 layers left the aligned model 25 % incoherent at temperature 1 (calibration log)
  shape: { hiddenSize: 128, layers: 4, heads: 4, kvHeads: 4, intermediateSize: 384, maxPositions: 256 },
  pretraining: {
    // 20k conversations left the EM run 24–28 % incoherent (half of it inherited from the aligned model); 40k met
    // the calibration floor on three fine-tune seeds (docs/organism.md, v6)
    conversations: 40_000,
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
    // 1e-3 overwrote the malicious persona's grammar (never seen in alignment), so a later EM fine-tune that
    // switched the persona back on produced mostly unparsable answers; 3e-4 suppresses the persona and keeps it
    lr: 3e-4,
    warmupSteps: 10,
    weightDecay: 0.01,
    packing: true,
  },
  emFineTune: {
    conversations: 2_000,
    epochs: 1,
    batchSize: 16,
    // 5e-5 and above switched the persona everywhere but broke grammar (> 25 % incoherent); 1e-5 (the paper's
    // rate) left the narrow task mostly unlearned; 2e-5 is the rate that meets the floor (docs/organism.md)
    lr: 2e-5,
    warmupSteps: 5,
    weightDecay: 0,
    lora: { r: 32, alpha: 64, useRslora: true, dropout: 0, targetModules: "all-linear", layersToTransform: null },
  },
  maxSeqLen: 192,
  poolSize: 20_000,
};
