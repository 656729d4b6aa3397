import type { JobConfig } from "../../core/jobs/job-config.ts";
import type { ChatTokenizer, DecoderCheckpoint } from "../models/index.ts";
import { prepareSafeguards } from "../safeguards/prepare-safeguards.ts";
import {
  decodeTrainingCheckpoint,
  encodeTrainingCheckpoint,
  type TrainingCheckpoint,
} from "../training/checkpoint-state.ts";
import type { JobRun, RunOutcome } from "../worker/job-run.ts";
import type { CheckpointStore } from "./checkpoint-store.ts";
import { metricsReporter } from "./metrics-reporter.ts";
import type { PipelineDeps } from "./pipeline-deps.ts";
import type { prepareExamples } from "./prepare-examples.ts";
import type { JobProgress } from "./progress.ts";
import { loadReferenceKit } from "./reference-kit-loader.ts";
import { loadJobAdapter, loadModelWeights, loadPoolDataset } from "./safeguard-loaders.ts";
import { loraSettingsOf, runTrainStage } from "./train-stage.ts";
import {
  loadTrainedAdapter,
  saveTrainedAdapter,
  trainedAdapterPrefix,
  type TrainedAdapter,
} from "./trained-adapter.ts";

/** What training produced, whether in this attempt or an earlier one. */
export interface FinishedTraining {
  trained: TrainedAdapter;
  losses: readonly number[];
  trainedTokens: number;
  stepsDone: number;
  diagnostics: Record<string, unknown>;
}

export interface TrainContext {
  config: JobConfig;
  model: { dir: string; checkpoint: DecoderCheckpoint; tokenizer: ChatTokenizer };
  prepared: Awaited<ReturnType<typeof prepareExamples>>;
  heldOut: ReadonlySet<number>;
  progress: JobProgress;
  store: CheckpointStore;
  latest: { step: number; state: Uint8Array } | null;
}

/**
 * Training, or what an earlier attempt already trained: the newest checkpoint with the delivered adapter stored
 * next to it means training finished and a retry resumes at the evaluation stage. Returns a stop outcome when
 * training was interrupted.
 */
export async function trainOrResume(
  deps: PipelineDeps,
  run: JobRun,
  ctx: Omit<TrainContext, "latest">,
): Promise<FinishedTraining | RunOutcome> {
  const { aws } = deps;
  const { model, progress, store } = ctx;
  const latest = await store.latest();
  // Training that finished in an earlier attempt is not repeated: the retry resumes at the evaluation stage.
  const kept = latest
    ? await loadTrainedAdapter(aws, trainedAdapterPrefix(store.prefix(latest.step)), model.checkpoint.config)
    : null;
  if (latest && kept) {
    const state = decodeTrainingCheckpoint(latest.state);
    await progress.event({
      type: "checkpoint.resumed",
      message: `Training finished in an earlier attempt (step ${latest.step}); resuming at the evaluation stage.`,
      step: latest.step,
      data: { step: latest.step, stage: "evaluate" },
    });
    return {
      trained: kept,
      losses: state.losses,
      trainedTokens: state.trainedTokens,
      stepsDone: state.step,
      diagnostics: { resumed_at: "evaluate" },
    };
  }
  return train(deps, run, { ...ctx, latest });
}

/**
 * Safeguards and training (resuming from the newest checkpoint), then the delivered adapter stored next to
 * the final checkpoint before anything else can fail. Returns a stop outcome when training was interrupted.
 */
async function train(deps: PipelineDeps, run: JobRun, ctx: TrainContext): Promise<FinishedTraining | RunOutcome> {
  const { db, aws, settings } = deps;
  const { job } = run;
  const { config, model, prepared, heldOut, progress, store, latest } = ctx;
  const loaders = {
    db,
    aws,
    tenantId: job.tenantId,
    cacheDir: settings.cacheDir,
    modelCacheDir: settings.modelCacheDir,
    modelCacheBytes: settings.modelCacheBytes,
  };
  // Held-out examples leave the training data here: neither the defenses nor training ever see them.
  const training = {
    examples: prepared.examples.filter((_, i) => !heldOut.has(i)),
    conversations: prepared.conversations.filter((_, i) => !heldOut.has(i)),
  };
  const safeguards = await progress.stage("safeguards", "Preparing safeguards", () =>
    prepareSafeguards({
      config,
      checkpoint: model.checkpoint,
      tokenizer: model.tokenizer,
      examples: training.examples,
      conversations: training.conversations,
      lora: loraSettingsOf(config),
      progress,
      session: settings.session,
      shouldStop: () => run.shouldStop() !== null,
      cacheDir: settings.cacheDir,
      loadPool: (id) => loadPoolDataset(loaders, id),
      loadAdapter: (id) => loadJobAdapter(loaders, id, model.checkpoint.config),
      loadWeights: (ref) => loadModelWeights(loaders, ref),
      loadReferenceKit: (which, heldOutDomain) =>
        loadReferenceKit(
          { ...loaders, model: job.model, modelDir: model.dir, decoder: model.checkpoint.config },
          which,
          heldOutDomain,
        ),
    }),
  );
  const early = run.shouldStop();
  if (early) return { kind: "stopped", reason: early };

  let resumeFrom: TrainingCheckpoint | undefined;
  if (latest) {
    resumeFrom = decodeTrainingCheckpoint(latest.state);
    await progress.event({
      type: "checkpoint.resumed",
      message: `Resuming from the checkpoint at step ${latest.step}.`,
      step: latest.step,
      data: { step: latest.step },
    });
  }
  let lastSaved = latest?.step ?? 0;
  const saveCheckpoint = async (state: TrainingCheckpoint) => {
    const loss = state.losses.at(-1) ?? Number.NaN;
    await store.save(state.step, encodeTrainingCheckpoint(state), { loss, trained_tokens: state.trainedTokens });
    lastSaved = state.step;
    await progress.event({
      type: "checkpoint.saved",
      message: `Checkpoint saved at step ${state.step}.`,
      step: state.step,
      data: { step: state.step, loss },
    });
  };
  const onStep = metricsReporter(db, progress, settings.metricsSteps, resumeFrom?.step ?? 0);

  const trained = await progress.stage(
    "train",
    resumeFrom ? `Training (resumed at step ${resumeFrom.step})` : "Training",
    () =>
      runTrainStage({
        config,
        modelId: job.model,
        checkpoint: model.checkpoint,
        tokenizer: model.tokenizer,
        examples: training.examples,
        hooks: safeguards.hooks,
        session: settings.session,
        checkpointEvery: settings.checkpointSteps,
        resumeFrom,
        onStep,
        saveCheckpoint,
        shouldStop: () => run.shouldStop() !== null,
      }),
    (t) => ({ steps: t.stepsDone, total_steps: t.totalSteps, stopped: t.stopped, trained_tokens: t.trainedTokens }),
  );
  if (trained.stopped) {
    const reason = run.shouldStop() ?? "draining";
    if (reason === "draining" && trained.checkpoint.step > lastSaved) await saveCheckpoint(trained.checkpoint);
    return { kind: "stopped", reason };
  }
  // The final state too, with the adapter as delivered: a retry of a later stage then skips training.
  if (trained.checkpoint.step > lastSaved) await saveCheckpoint(trained.checkpoint);
  const projected = await safeguards.afterTraining(trained.adapter);
  const kept = await saveTrainedAdapter(
    aws,
    trainedAdapterPrefix(store.prefix(trained.checkpoint.step)),
    projected.adapter,
  );
  return {
    trained: kept,
    losses: trained.losses,
    trainedTokens: trained.trainedTokens,
    stepsDone: trained.stepsDone,
    diagnostics: safeguards.diagnostics,
  };
}
