import { eq } from "drizzle-orm";
import { datasets } from "../../core/db/schema.ts";
import { permanent } from "../../core/errors.ts";
import { parseJobConfig } from "../../core/jobs/job-config.ts";
import { IllegalTransitionError } from "../../core/jobs/state-machine.ts";
import { evaluateJob } from "../evals/evaluate-job.ts";
import { loadChatTokenizer, loadDecoderCheckpoint } from "../models/index.ts";
import type { JobRun, JobRunner, RunOutcome } from "../worker/job-run.ts";
import { CheckpointStore } from "./checkpoint-store.ts";
import { endWithEvaluationFailure } from "./evaluation-failure.ts";
import { fetchDataset } from "./fetch-dataset.ts";
import { metricsReport, recordJobOutcome, uploadJobOutcome } from "./finish-job.ts";
import { heldOutIndices } from "./held-out.ts";
import type { PipelineDeps } from "./pipeline-deps.ts";
import { prepareExamples, readConversations } from "./prepare-examples.ts";
import { JobProgress } from "./progress.ts";
import { resolveModel } from "./resolve-model.ts";
import { trainOrResume } from "./train-job.ts";

export type { PipelineDeps, PipelineSettings } from "./pipeline-deps.ts";

/**
 * The stages of one job: fetch data, resolve the model, prepare examples, safeguards and training
 * (`train-job.ts`: resuming from the newest complete checkpoint, checkpointing every N steps), evaluate, upload
 * artifacts, and record the result with the terminal state in one transaction. Stops cooperatively at step
 * boundaries.
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
  const outcome = await trainOrResume(deps, run, { config, model, prepared, heldOut, progress, store });
  if ("kind" in outcome) return outcome;
  const finished = outcome;

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
