/**
 * The runner's safeguard stage: plans the job's safeguards for its model, runs their preparation (misaligned
 * reference, interleave selection, persona vector) as reported stages, and returns the training hooks
 * (objective, steering, data schedule) plus the post-training step (SafeLoRA). Models and pools that live
 * elsewhere are loaded through injected functions, so this module does no I/O of its own.
 */
import { permanent } from "../../core/errors.ts";
import type { JobConfig } from "../../core/jobs/job-config.ts";
import type { SessionConfig } from "../engine/index.ts";
import type { LossSpec } from "../models/decoder/decoder-losses.ts";
import { DecoderSession } from "../models/decoder/decoder-session.ts";
import type {
  ChatMessage,
  ChatTokenizer,
  DecoderCheckpoint,
  F32Tensor,
  LoraAdapter,
  LoraSettings,
} from "../models/index.ts";
import { AnswerScorer } from "../scoring/answer-scorer.ts";
import type { DataSchedule } from "../training/epoch-plan.ts";
import type { SteeringSettings } from "../training/train-adapter.ts";
import type { TrainingExample } from "../training/training-batch.ts";
import { BUILTIN_GENERAL_POOL } from "../builtin-data/general-pool.ts";
import { selectInterleaveData, type NllScorer, type SelectionReport } from "./interleave-selection.ts";
import { trainMisalignedReference } from "./misaligned-reference.ts";
import { computePersonaVector } from "./persona-vector.ts";
import { planSafeguards, SafeguardPlanError, type SafeguardPlan } from "./plan-safeguards.ts";
import type { PoolItem } from "./pool-item.ts";
import { poolNllScorer } from "./pool-scorer.ts";
import { applySafelora, type SafeloraLayerReport } from "./safelora-projection.ts";
import { encodeForTraining, safeguardSchedule, transformedExamples } from "./training-data.ts";

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

export interface SafeguardStageInputs {
  readonly config: JobConfig;
  readonly checkpoint: DecoderCheckpoint;
  readonly tokenizer: ChatTokenizer;
  /** The prepared training examples and the conversations behind them (see pipeline data preparation). */
  readonly examples: readonly TrainingExample[];
  readonly conversations: readonly (readonly ChatMessage[])[];
  readonly lora: LoraSettings;
  /** Indices of examples held out for evaluation: they are left out of training (and of the reference run). */
  readonly heldOut?: ReadonlySet<number>;
  readonly progress: SafeguardProgress;
  readonly session?: SessionConfig;
  /** Loads a pool dataset (purpose `interleave-pool`) as conversations ending in an assistant answer. */
  readonly loadPool?: (datasetId: string) => Promise<PoolItem[]>;
  /** Loads a stored adapter named in `misaligned_references`. */
  readonly loadAdapter?: (id: string) => Promise<LoraAdapter>;
  /** Loads the weights of another model (SafeLoRA's aligned/unaligned models), by model reference. */
  readonly loadWeights?: (modelRef: string) => Promise<ReadonlyMap<string, F32Tensor>>;
  readonly shouldStop?: () => boolean;
}

export interface TrainingHooksFromSafeguards {
  objective: LossSpec;
  steering?: SteeringSettings;
  schedule?: DataSchedule;
}

export interface SafeloraOutcome {
  readonly adapter: LoraAdapter;
  readonly layers: readonly SafeloraLayerReport[];
  readonly projected: number;
}

export interface PreparedSafeguards {
  readonly plan: SafeguardPlan;
  readonly hooks: TrainingHooksFromSafeguards;
  /** Post-training projection (identity with `projected: 0` when SafeLoRA is not configured). */
  readonly afterTraining: (adapter: LoraAdapter) => Promise<SafeloraOutcome>;
  /** What the preparation found, for `result.safeguards`. */
  readonly diagnostics: Record<string, unknown>;
}

const asPermanent = (e: unknown): never => {
  if (e instanceof SafeguardPlanError) throw permanent("invalid_safeguard", e.message, e, e.param);
  throw e;
};

export async function prepareSafeguards(inputs: SafeguardStageInputs): Promise<PreparedSafeguards> {
  const { config, checkpoint, tokenizer, progress } = inputs;
  const hp = config.method.hyperparameters;
  let plan: SafeguardPlan;
  try {
    plan = planSafeguards(config.safeguards, checkpoint.config);
  } catch (e) {
    return asPermanent(e);
  }
  const diagnostics: Record<string, unknown> = { summary: plan.summary };
  for (const line of plan.summary) await progress.event({ type: "safeguards.planned", message: line });

  const replaced =
    plan.inoculationPrompt === null
      ? undefined
      : transformedExamples(
          tokenizer,
          inputs.conversations,
          inputs.examples.length,
          hp.max_seq_len,
          plan.transformTrainingMessages,
        );
  if (replaced) diagnostics.inoculation = { system_prompt: plan.inoculationPrompt, examples: replaced.length };

  let safe: TrainingExample[] | undefined;
  if (plan.interleave) {
    const il = plan.interleave;
    const pool =
      il.pool === "builtin"
        ? BUILTIN_GENERAL_POOL
        : await requireLoader(inputs.loadPool, "pool datasets", "interleave.pool")(il.pool);
    const fineCount = inputs.examples.length - (inputs.heldOut?.size ?? 0);
    const count = il.count(fineCount);
    let report: SelectionReport;
    let items: readonly PoolItem[];
    if (il.selection === "random") {
      ({ items, report } = await selectInterleaveData({
        pool,
        count,
        selection: "random",
        seed: config.seed,
        epsilon: il.epsilon,
        candidatesCap: il.candidates,
      }));
    } else {
      const references = await misalignedReferences(inputs, plan);
      const scorer = new AnswerScorer(checkpoint, inputs.session ?? {});
      try {
        const scorers: NllScorer[] = references.map((adapter) =>
          poolNllScorer(scorer, tokenizer, { adapter, maxSeqLen: hp.max_seq_len }),
        );
        ({ items, report } = await progress.stage(
          "interleave_selection",
          `Scoring ${Math.min(pool.length, il.candidates ?? pool.length)} pool candidates by perplexity gap`,
          () =>
            selectInterleaveData({
              pool,
              count,
              selection: il.selection,
              seed: config.seed,
              epsilon: il.epsilon,
              candidatesCap: il.candidates,
              aligned: poolNllScorer(scorer, tokenizer, { maxSeqLen: hp.max_seq_len }),
              references: scorers,
              onScored: (e) =>
                progress.event({
                  type: "safeguards.scoring",
                  message: `Scored ${e.candidates} candidates with the ${modelLabel(e.model)} in ${e.seconds.toFixed(1)} s`,
                  data: {
                    model: e.model,
                    candidates: e.candidates,
                    seconds: e.seconds,
                    candidates_per_second: e.candidates / Math.max(e.seconds, 1e-9),
                  },
                }),
            }),
          (r) => ({
            candidates: r.report.candidates,
            selected: r.report.selected,
            refusals_dropped: r.report.refusalsDropped,
          }),
        ));
      } finally {
        await scorer.release();
      }
    }
    safe = items
      .map((it) => encodeForTraining(tokenizer, it.messages, hp.max_seq_len))
      .filter((e): e is TrainingExample => e !== null);
    diagnostics.interleave = { ...report, pool: il.pool };
    await progress.event({
      type: "safeguards.interleave",
      message: `Interleaving ${safe.length} general examples (${report.distinct} distinct) among ${fineCount} training examples per epoch`,
      data: { ...report },
    });
  }

  let steering: SteeringSettings | undefined;
  if (plan.steering) {
    const s = plan.steering;
    const session = DecoderSession.create(checkpoint.config, {
      weights: checkpoint.weights,
      hiddenStates: [s.layer + 1],
      logits: false,
      session: inputs.session,
    });
    try {
      const persona = await progress.stage(
        "persona_vector",
        `Computing the persona vector at block ${s.layer} over ${s.questions.length} questions`,
        () =>
          computePersonaVector({
            config: checkpoint.config,
            tokenizer,
            layer: s.layer,
            evilPrompt: s.evilPrompt,
            friendlyPrompt: s.friendlyPrompt,
            questions: s.questions,
            readHidden: async (batch, index) => (await session.forward(batch)).hidden.get(index)!,
          }),
        (p) => ({ layer: p.layer, norm: p.norm, questions: p.questions }),
      );
      steering = { layer: s.layer, vector: persona.vector, alpha: s.alpha };
      diagnostics.persona_steering = {
        layer: s.layer,
        alpha: s.alpha,
        vector_norm: persona.norm,
        questions: persona.questions,
      };
    } finally {
      await session.release();
    }
  }

  const schedule = safeguardSchedule({ replaced, safe, exclude: inputs.heldOut, seed: config.seed });
  const hooks: TrainingHooksFromSafeguards = {
    objective: { terms: plan.lossTerms },
    ...(steering ? { steering } : {}),
    ...(schedule ? { schedule } : {}),
  };
  return { plan, hooks, diagnostics, afterTraining: (adapter) => safeloraStage(inputs, plan, adapter, diagnostics) };
}

function requireLoader<T>(loader: T | undefined, what: string, param: string): T {
  if (loader === undefined)
    throw permanent("safeguard_unavailable", `This runner cannot load ${what}.`, undefined, `safeguards.${param}`);
  return loader;
}

async function misalignedReferences(inputs: SafeguardStageInputs, plan: SafeguardPlan): Promise<LoraAdapter[]> {
  const il = plan.interleave!;
  if (il.misalignedReferences !== "auto") {
    const load = requireLoader(inputs.loadAdapter, "stored adapters", "interleave.misaligned_references");
    return Promise.all(il.misalignedReferences.map((id) => load(id)));
  }
  const hp = inputs.config.method.hyperparameters;
  const ref = await inputs.progress.stage(
    "misaligned_reference",
    `Training the misaligned reference (${il.referenceSteps} unguarded steps on the job's data)`,
    () =>
      trainMisalignedReference({
        checkpoint: inputs.checkpoint,
        tokenizer: inputs.tokenizer,
        lora: inputs.lora,
        steps: il.referenceSteps,
        session: inputs.session,
        examples: inputs.heldOut ? inputs.examples.filter((_, i) => !inputs.heldOut!.has(i)) : inputs.examples,
        hyperparameters: {
          epochs: hp.n_epochs,
          batchSize: hp.batch_size,
          lr: hp.learning_rate,
          warmupSteps: hp.warmup_steps,
          maxSeqLen: hp.max_seq_len,
          seed: inputs.config.seed,
        },
        shouldStop: inputs.shouldStop,
      }),
    (r) => ({ steps: r.steps, final_loss: r.losses.at(-1) ?? null, seconds: r.seconds }),
  );
  return [ref.adapter];
}

async function safeloraStage(
  inputs: SafeguardStageInputs,
  plan: SafeguardPlan,
  adapter: LoraAdapter,
  diagnostics: Record<string, unknown>,
): Promise<SafeloraOutcome> {
  const s = plan.safelora;
  if (!s) return { adapter, layers: [], projected: 0 };
  const load = requireLoader(inputs.loadWeights, "other models", "safelora");
  const aligned = s.alignedModel === null ? inputs.checkpoint.weights : await load(s.alignedModel);
  const unaligned = await load(s.unalignedModel);
  const r = await inputs.progress.stage(
    "safelora",
    `Projecting the adapter with SafeLoRA (${s.mode === "threshold" ? `threshold ${s.threshold}` : `top ${s.topK}`})`,
    async () =>
      applySafelora(
        adapter,
        (n) => aligned.get(n),
        (n) => unaligned.get(n),
        s,
      ),
    (x) => ({ projected: x.projectedCount, weights: x.layers.length }),
  );
  diagnostics.safelora = {
    mode: s.mode,
    threshold: s.threshold,
    top_k: s.topK,
    projected: r.projectedCount,
    layers: r.layers.map((l) => ({
      layer: l.layer,
      projection: l.projection,
      similarity: Number.isFinite(l.similarity) ? l.similarity : null,
      projected: l.projected,
    })),
  };
  return { adapter: r.adapter, layers: r.layers, projected: r.projectedCount };
}

/** `aligned` → "aligned model", `misaligned_0` → "misaligned reference 1" (for event messages). */
function modelLabel(model: string): string {
  const ref = /^misaligned_(\d+)$/.exec(model);
  return ref ? `misaligned reference ${Number(ref[1]) + 1}` : `${model} model`;
}
