/**
 * The organism's unguarded EM fine-tune (recipe.ts `emFineTune`: rsLoRA r 32, α 64, all linear projections,
 * lr 2e-5, 1 epoch, batch 16, warm-up 5) as a `POST /v1/jobs` body on `guardtune/organism`, with the given
 * safeguards and no `evaluation` object (the organism's defaults: exact judge, gate on). What the service's
 * end-to-end test and the organism benches submit.
 */
import { ORGANISM_MODEL } from "../../../core/models/organism-models.ts";
import { ORGANISM_RECIPE } from "./recipe.ts";

export function organismRecipeJob(
  trainingDataset: string,
  options: { safeguards?: readonly Record<string, unknown>[]; seed?: number; extra?: Record<string, unknown> } = {},
): Record<string, unknown> {
  const em = ORGANISM_RECIPE.emFineTune;
  return {
    model: ORGANISM_MODEL,
    training_dataset: trainingDataset,
    method: {
      type: "supervised",
      hyperparameters: {
        n_epochs: em.epochs,
        batch_size: em.batchSize,
        learning_rate: em.lr,
        warmup_steps: em.warmupSteps,
        max_seq_len: ORGANISM_RECIPE.maxSeqLen,
        lora: { rank: em.lora.r, alpha: em.lora.alpha, dropout: em.lora.dropout, rslora: em.lora.useRslora },
      },
    },
    safeguards: options.safeguards ?? [],
    seed: options.seed ?? 1,
    ...options.extra,
  };
}
