/**
 * The forgetting-gap reference of perplexity-gap selection (`misaligned_references: "forgetting_gap"`, and
 * the fallback when the base model has no reference kit): a short, unguarded LoRA fine-tune on the job's own
 * training data (plain cross-entropy, no safeguards), stopped after a budget of optimizer steps. Its adapter,
 * applied to the base model, stands in for the misaligned model — a heuristic: the paper's references are
 * adapters trained on emergent-misalignment datasets (misaligned-references.ts).
 */
import type { SessionConfig } from "../engine/index.ts";
import type { ChatTokenizer, DecoderCheckpoint, LoraAdapter, LoraSettings } from "../models/index.ts";
import { trainAdapter, type TrainingHyperparameters } from "../training/train-adapter.ts";
import type { StepReport } from "../training/training-loop.ts";
import type { TrainingExample } from "../training/training-batch.ts";

export interface ReferenceTrainingInputs {
  readonly checkpoint: DecoderCheckpoint;
  readonly tokenizer: ChatTokenizer;
  readonly examples: readonly TrainingExample[];
  readonly lora: LoraSettings;
  readonly hyperparameters: TrainingHyperparameters;
  /** Optimizer-step budget. */
  readonly steps: number;
  readonly session?: SessionConfig;
  readonly onStep?: (report: StepReport) => void | Promise<void>;
  readonly shouldStop?: () => boolean;
}

export interface MisalignedReference {
  readonly adapter: LoraAdapter;
  readonly steps: number;
  readonly losses: readonly number[];
  readonly seconds: number;
}

export async function trainMisalignedReference(inputs: ReferenceTrainingInputs): Promise<MisalignedReference> {
  const t0 = performance.now();
  let done = 0;
  const result = await trainAdapter({
    checkpoint: inputs.checkpoint,
    tokenizer: inputs.tokenizer,
    examples: inputs.examples,
    // a different seed from the job's own run: the reference must not share its data order by accident
    hyperparameters: { ...inputs.hyperparameters, seed: (inputs.hyperparameters.seed ^ 0x2545f491) >>> 0 },
    lora: inputs.lora,
    session: inputs.session,
    onStep: async (r) => {
      done = r.step;
      await inputs.onStep?.(r);
    },
    shouldStop: () => done >= inputs.steps || (inputs.shouldStop?.() ?? false),
  });
  return {
    adapter: result.adapter,
    steps: result.stepsDone,
    losses: result.losses,
    seconds: (performance.now() - t0) / 1000,
  };
}
