import { eq } from "drizzle-orm";
import type { AwsResources } from "../../core/aws/resources.ts";
import type { Database } from "../../core/db/database.ts";
import { datasets, jobs } from "../../core/db/schema.ts";
import { permanent } from "../../core/errors.ts";
import { parseJobConfig, type JobConfig } from "../../core/jobs/job-config.ts";
import { IllegalTransitionError } from "../../core/jobs/state-machine.ts";
import type { SessionConfig } from "../engine/index.ts";
import { evaluateJob, type JudgeSettings } from "../evals/evaluate-job.ts";
import {
  loadChatTokenizer,
  loadDecoderCheckpoint,
  type ChatTokenizer,
  type DecoderCheckpoint,
} from "../models/index.ts";
import { prepareSafeguards } from "../safeguards/prepare-safeguards.ts";
import {
  decodeTrainingCheckpoint,
  encodeTrainingCheckpoint,
  type TrainingCheckpoint,
} from "../training/checkpoint-state.ts";
import type { StepReport } from "../training/training-loop.ts";
import type { JobRun, JobRunner, RunOutcome } from "../worker/job-run.ts";
import { CheckpointStore } from "./checkpoint-store.ts";
import { fetchDataset } from "./fetch-dataset.ts";
import { endWithEvaluationFailure } from "./evaluation-failure.ts";
import { metricsReport, recordJobOutcome, uploadJobOutcome } from "./finish-job.ts";
import { heldOutIndices } from "./held-out.ts";
import { prepareExamples, readConversations } from "./prepare-examples.ts";
import { JobProgress } from "./progress.ts";
import { resolveModel } from "./resolve-model.ts";
import { loadReferenceKit } from "./reference-kit-loader.ts";
import { loadJobAdapter, loadModelWeights, loadPoolDataset } from "./safeguard-loaders.ts";
import { loraSettingsOf, runTrainStage } from "./train-stage.ts";
import {
  loadTrainedAdapter,
  saveTrainedAdapter,
  trainedAdapterPrefix,
  type TrainedAdapter,
} from "./trained-adapter.ts";

export interface PipelineSettings {
  /** Local cache of datasets (by content hash). */
  cacheDir: string;
  modelCacheDir: string;
  modelCacheBytes: number;
  checkpointSteps: number;
  metricsSteps: number;
  session: SessionConfig;
  /** The operator's registered judges and the outbound policy for reaching them. */
  judges?: Omit<JudgeSettings, "env">;
}

export interface PipelineDeps {
  db: Database;
  aws: Pick<AwsResources, "s3" | "bucket">;
  settings: PipelineSettings;
  /** The evaluation stage (default: the engine-backed `evaluateJob`). */
  evaluate?: typeof evaluateJob;
}

/**
 * The stages of one job: fetch data, resolve the model, prepare examples, safeguards, train (resuming from
 * the newest complete checkpoint, checkpointing every N steps), evaluate, upload artifacts, and record the
 * result with the terminal state in one transaction. Stops cooperatively at step boundaries.
 */
export function createPipeline(deps: PipelineDeps): JobRunner {
  return (run) => runPipeline(deps, run);
}

async function runPipeline(deps: PipelineDeps, run: JobRun): Promise<RunOutcome> {
  const { db, aws, settings } = deps;
  const { job } = run;
  const progress = new JobProgress(db, job.id);
  const config = parseJobConfig(job.config);
  const hp = config.method.hyperparameters;
  const stopped = (): RunOutcome | null => {
    const reason = run.shouldStop();
    return reason ? { kind: "stopped", reason } : null;
  };

  const [dataset] = await db.select().from(datasets).where(eq(datasets.id, job.trainingDatasetId));
  if (!dataset)
    throw permanent(
      "dataset_unavailable",
      `The training dataset ${job.trainingDatasetId} no longer exists.`,
      undefined,
      "training_dataset",
    );
  const fetched = await progress.stage(
    "fetch_dataset",
    "Fetching the training data",
    () => fetchDataset(aws, dataset, settings.cacheDir),
    (f) => ({
      bytes: f.bytes,
      sha256: f.sha256,
      cached: f.cached,
    }),
  );
  const model = await progress.stage(
    "resolve_model",
    `Loading the model ${job.model}`,
    async () => {
      const resolved = await resolveModel(job.model, {
        cacheDir: settings.modelCacheDir,
        maxBytes: settings.modelCacheBytes,
        s3: aws.s3,
      });
      return {
        ...resolved,
        checkpoint: await loadDecoderCheckpoint(resolved.dir),
        tokenizer: await loadChatTokenizer(resolved.dir),
      };
    },
    (m) => ({
      source: m.source,
      cached: m.cached,
      architecture: m.checkpoint.config.architecture,
      layers: m.checkpoint.config.numLayers,
    }),
  );
  const prepared = await progress.stage(
    "prepare",
    "Applying the chat template and masking non-assistant tokens",
    async () => prepareExamples(model.tokenizer, await readConversations(fetched.path), hp.max_seq_len),
    (p) => ({ examples: p.examples.length, tokens: p.tokens, truncated: p.truncated, dropped: p.unsupervised }),
  );
  if (prepared.truncated > 0) {
    await progress.event({
      type: "data.truncated",
      level: "warn",
      message: `${prepared.truncated} of ${prepared.examples.length} examples were longer than max_seq_len (${hp.max_seq_len}) tokens and were truncated.`,
      data: { truncated: prepared.truncated, max_seq_len: hp.max_seq_len },
    });
  }
  const heldOut = heldOutIndices(config, prepared.examples.length, job.validationDatasetId !== null);
  const heldOutConversations = job.validationDatasetId
    ? await progress.stage("fetch_validation", "Fetching the validation data", async () => {
        const [validation] = await db.select().from(datasets).where(eq(datasets.id, job.validationDatasetId!));
        if (!validation)
          throw permanent(
            "dataset_unavailable",
            `The validation dataset ${job.validationDatasetId} no longer exists.`,
            undefined,
            "validation_dataset",
          );
        const conversations = await readConversations((await fetchDataset(aws, validation, settings.cacheDir)).path);
        return conversations.map((c) => c.messages.map((m) => ({ role: m.role, content: m.content })));
      })
    : prepared.conversations.filter((_, i) => heldOut.has(i));
  if (heldOut.size > 0) {
    await progress.event({
      type: "data.held_out",
      message: `${heldOut.size} training examples are held out for the in-domain evaluation.`,
      data: { held_out: heldOut.size },
    });
  }
  const store = new CheckpointStore(db, aws, job);
  const latest = await store.latest();
  // Training that finished in an earlier attempt is not repeated: the retry resumes at the evaluation stage.
  const kept = latest
    ? await loadTrainedAdapter(aws, trainedAdapterPrefix(store.prefix(latest.step)), model.checkpoint.config)
    : null;
  let finished: FinishedTraining;
  if (latest && kept) {
    const state = decodeTrainingCheckpoint(latest.state);
    await progress.event({
      type: "checkpoint.resumed",
      message: `Training finished in an earlier attempt (step ${latest.step}); resuming at the evaluation stage.`,
      step: latest.step,
      data: { step: latest.step, stage: "evaluate" },
    });
    finished = {
      trained: kept,
      losses: state.losses,
      trainedTokens: state.trainedTokens,
      stepsDone: state.step,
      diagnostics: { resumed_at: "evaluate" },
    };
  } else {
    const outcome = await train(deps, run, { config, model, prepared, heldOut, progress, store, latest });
    if ("kind" in outcome) return outcome;
    finished = outcome;
  }

  const metrics = metricsReport(
    finished.losses,
    finished.trainedTokens,
    finished.stepsDone,
    prepared.examples.length - heldOut.size,
    prepared.truncated,
  );
  try {
    const e = config.evaluation;
    const evaluated =
      e.broad === false && e.probe === false && e.in_domain === false
        ? null
        : await progress.stage("evaluate", "Evaluating the base and fine-tuned models", () =>
            (deps.evaluate ?? evaluateJob)({
              config,
              modelId: job.model,
              cacheDir: settings.cacheDir,
              checkpoint: model.checkpoint,
              tokenizer: model.tokenizer,
              adapter: finished.trained.adapter,
              heldOut: heldOutConversations,
              ...(settings.judges ? { judges: { ...settings.judges, env: process.env } } : {}),
              session: settings.session,
              onEvent: (message, data) => progress.event({ type: "evaluation.progress", message, data }),
            }),
          );
    if (evaluated?.gate) {
      const g = evaluated.gate.outcome;
      await progress.event({
        type: "evaluation.gate",
        level: g.passed ? "info" : "error",
        message: g.explanation,
        data: { ...g },
      });
    }
    const afterEval = stopped();
    if (afterEval) return afterEval;

    const uploaded = await progress.stage("upload", "Uploading the adapter and reports", () =>
      uploadJobOutcome(aws, job, {
        adapter: finished.trained.adapter,
        metrics,
        evaluation: evaluated ? (evaluated.report as unknown as Record<string, unknown>) : null,
        gate: evaluated?.gate ?? null,
        safeguards: finished.diagnostics,
      }),
    );
    await recordJobOutcome(
      db,
      job,
      run.workerId,
      uploaded,
      `ft:${job.model}${config.suffix ? `:${config.suffix}` : ""}:${job.id}`,
    );
  } catch (err) {
    // A cancel that arrived after the last step wins: the job ends cancelled, not succeeded.
    if (err instanceof IllegalTransitionError && err.actual === "cancelling")
      return { kind: "stopped", reason: "cancelled" };
    // Training succeeded: whatever failed after it, the adapter is kept (retried, or offered on failure).
    await endWithEvaluationFailure(db, job, run.workerId, err, { config, trained: finished.trained, metrics });
  }
  return { kind: "finished" };
}

/** What training produced, whether in this attempt or an earlier one. */
interface FinishedTraining {
  trained: TrainedAdapter;
  losses: readonly number[];
  trainedTokens: number;
  stepsDone: number;
  diagnostics: Record<string, unknown>;
}

interface TrainContext {
  config: JobConfig;
  model: { dir: string; checkpoint: DecoderCheckpoint; tokenizer: ChatTokenizer };
  prepared: Awaited<ReturnType<typeof prepareExamples>>;
  heldOut: ReadonlySet<number>;
  progress: JobProgress;
  store: CheckpointStore;
  latest: { step: number; state: Uint8Array } | null;
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

/** Metrics events every `every` steps (and the first and last), with `estimated_finish` and tokens so far. */
function metricsReporter(db: Database, progress: JobProgress, every: number, firstStep: number) {
  const trainStart = Date.now();
  return async (r: StepReport) => {
    if (r.step !== firstStep + 1 && r.step % every !== 0 && r.step !== r.totalSteps) return;
    const perStepMs = (Date.now() - trainStart) / Math.max(1, r.step - firstStep);
    const finish = new Date(Date.now() + perStepMs * (r.totalSteps - r.step));
    await db
      .update(jobs)
      .set({ estimatedFinish: finish, trainedTokens: r.trainedTokens })
      .where(eq(jobs.id, progress.jobId));
    await progress.event({
      type: "metrics",
      step: r.step,
      message: `Step ${r.step}/${r.totalSteps}: loss ${r.loss.toFixed(4)}`,
      data: {
        step: r.step,
        total_steps: r.totalSteps,
        epoch: r.epoch,
        loss: r.loss,
        learning_rate: r.lr,
        grad_norm: r.gradNorm,
        tokens_per_second: r.tokensPerSecond,
        elapsed_ms: Math.round(r.elapsedMs),
        trained_tokens: r.trainedTokens,
        estimated_finish: Math.floor(finish.getTime() / 1000),
      },
    });
  };
}
