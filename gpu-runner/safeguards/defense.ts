/**
 * The runner's half of a defense: how a parsed `safeguards` entry becomes what the runner executes. Each
 * defense is one module in `defenses/` (its schema half is `core/safeguards/defenses/`), listed once in
 * `defense-registry.ts`. A defense contributes through these hooks only:
 *
 * - `plan`: model-dependent checks (a bad layer index fails before any work) and a summary line;
 * - loss terms of the training objective (`lossTerms`);
 * - a rewrite of every fine-tuning conversation, during training only (`transformTrainingMessages`);
 * - `prepare`: work before training, reported as stages, returning steering, an epoch data schedule and a report;
 * - `afterTraining`: a projection of the trained adapter, with a report.
 *
 * Held-out evaluation data is not a defense's concern: the pipeline removes it before defenses see the data.
 */
import type { JobConfig } from "../../core/jobs/job-config.ts";
import type { SessionConfig } from "../engine/index.ts";
import type { LossTerm } from "../models/decoder/decoder-losses.ts";
import type {
  ChatMessage,
  ChatTokenizer,
  DecoderCheckpoint,
  DecoderConfig,
  F32Tensor,
  LoraAdapter,
  LoraSettings,
} from "../models/index.ts";
import type { DataSchedule } from "../training/epoch-plan.ts";
import type { SteeringSettings } from "../training/train-adapter.ts";
import type { TrainingExample } from "../training/training-batch.ts";
import type { PoolItem } from "./pool-item.ts";

/** A safeguard setting that does not fit the model (e.g. a layer index past its depth). */
export class SafeguardPlanError extends Error {
  constructor(
    message: string,
    /** JSON path in the job, e.g. `safeguards[1].layers`. */
    readonly param: string,
  ) {
    super(message);
    this.name = "SafeguardPlanError";
  }
}

/** What planning may look at: the model's shape, and how to name a field of this entry in an error. */
export interface PlanContext {
  readonly decoder: DecoderConfig;
  /** `safeguards[i].<name>` for this entry. */
  readonly field: (name: string) => string;
}

export interface Defense<S extends { readonly type: string } = { readonly type: string }> {
  readonly type: S["type"];
  /** Throws `SafeguardPlanError` for a setting that does not fit the model. */
  plan(entry: S, ctx: PlanContext): PlannedDefense;
}

export interface PlannedDefense {
  readonly type: string;
  /** One line for the job's events (`safeguards.planned`) and `result.safeguards.summary`. */
  readonly summary: string;
  /** What the plan resolved (layers, questions, counts): for tests and benchmarks. */
  readonly details?: unknown;
  /** Extra terms of the training objective (the decoder loss graph's `LossSpec.terms`); CE keeps weight 1. */
  readonly lossTerms?: readonly LossTerm[];
  /** Applied to every fine-tuning conversation before tokenisation, during training only. */
  readonly transformTrainingMessages?: (messages: readonly ChatMessage[]) => ChatMessage[];
  /** The stages `prepare` may report, in order (the plan lists them before `training`); some depend on data. */
  readonly preparationStages?: readonly string[];
  readonly prepare?: (ctx: PrepareContext) => Promise<DefensePreparation>;
  /** Runs after training, as the reported stage `stage`. */
  readonly afterTraining?: {
    readonly stage: string;
    run(adapter: LoraAdapter, ctx: PrepareContext): Promise<{ adapter: LoraAdapter; report: Record<string, unknown> }>;
  };
}

/** A defense's contribution to training, and what it found (`result.safeguards[type]`). */
export interface DefensePreparation {
  readonly steering?: SteeringSettings;
  /** Rewrites each epoch's sequence (after every defense's message transform is applied). */
  readonly schedule?: DataSchedule;
  readonly report?: Record<string, unknown>;
}

/** The job's event log (JobProgress fits). */
export interface SafeguardProgress {
  event(e: {
    type: string;
    message: string;
    level?: "info" | "warn" | "error";
    data?: Record<string, unknown>;
  }): Promise<void>;
  stage<T>(
    name: string,
    message: string,
    fn: () => Promise<T>,
    summary?: (value: T) => Record<string, unknown>,
  ): Promise<T>;
}

/** A reference kit's adapters for one job: those of the held-out domain are already left out. */
export interface LoadedReferenceKit {
  readonly name: string;
  readonly source: "service" | "builtin";
  readonly adapters: readonly { readonly id: string; readonly domain: string; readonly adapter: LoraAdapter }[];
  /** Domains whose adapters were left out (the job's own). */
  readonly leftOut: readonly string[];
}

/** Resources that live elsewhere, loaded through injected functions (defenses do no I/O of their own). */
export interface SafeguardLoaders {
  /** Loads a pool dataset (purpose `interleave-pool`) as conversations ending in an assistant answer. */
  readonly loadPool?: (datasetId: string) => Promise<PoolItem[]>;
  /** Loads a stored adapter named in `misaligned_references`. */
  readonly loadAdapter?: (id: string) => Promise<LoraAdapter>;
  /**
   * Loads the job's model's reference kit (`kit`: the newest ready one the service built, null when there is
   * none) or a built-in kit (`builtin:<name>`), without the adapter of `heldOutDomain`.
   */
  readonly loadReferenceKit?: (which: string, heldOutDomain: string | undefined) => Promise<LoadedReferenceKit | null>;
  /** Loads the weights of another model (SafeLoRA's aligned/unaligned models), by model reference. */
  readonly loadWeights?: (modelRef: string) => Promise<ReadonlyMap<string, F32Tensor>>;
}

export interface SafeguardStageInputs extends SafeguardLoaders {
  readonly config: JobConfig;
  readonly checkpoint: DecoderCheckpoint;
  readonly tokenizer: ChatTokenizer;
  /** The training examples and the conversations behind them, index-aligned (held-out data already removed). */
  readonly examples: readonly TrainingExample[];
  readonly conversations: readonly (readonly ChatMessage[])[];
  readonly lora: LoraSettings;
  readonly progress: SafeguardProgress;
  readonly session?: SessionConfig;
  readonly shouldStop?: () => boolean;
  /** The runner's cache directory: pool scores are kept there across jobs (absent: never cached). */
  readonly cacheDir?: string;
}

/** What `prepare` and `afterTraining` receive: the stage inputs and a way to demand a loader. */
export interface PrepareContext extends SafeguardStageInputs {
  /** The loader, or a permanent `safeguard_unavailable` error naming `safeguards.<param>`. */
  require<K extends keyof SafeguardLoaders>(loader: K, what: string, param: string): NonNullable<SafeguardLoaders[K]>;
}
