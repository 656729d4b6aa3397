import { z } from "@hono/zod-openapi";
import type { Checkpoint, Job, JobEvent, JobStatus } from "../../core/db/schema.ts";
import { unixSeconds } from "../../core/jobs/job-object.ts";
import { HYPERPARAMETER_DEFAULTS } from "../../core/jobs/job-config.ts";
import { safeguardSchema } from "../../core/safeguards/safeguard-config.ts";
import { BASE_LEARNING_RATE } from "./fine-tuning-request.ts";

/** OpenAI's statuses have no `cancelling`: the job is still running until the runner stops it. */
const OPENAI_STATUS: Record<
  JobStatus,
  "validating_files" | "queued" | "running" | "succeeded" | "failed" | "cancelled"
> = {
  validating_files: "validating_files",
  queued: "queued",
  running: "running",
  cancelling: "running",
  succeeded: "succeeded",
  failed: "failed",
  cancelled: "cancelled",
};

const OpenAIHyperparametersOut = z.object({
  batch_size: z.number().int(),
  learning_rate_multiplier: z.number(),
  n_epochs: z.number().int(),
});

export const FineTuningJobSchema = z
  .object({
    id: z.string(),
    object: z.literal("fine_tuning.job"),
    created_at: z.number().int(),
    error: z.object({ code: z.string(), message: z.string(), param: z.string().nullable() }).nullable(),
    fine_tuned_model: z.string().nullable(),
    finished_at: z.number().int().nullable(),
    hyperparameters: OpenAIHyperparametersOut,
    model: z.string(),
    organization_id: z.string(),
    result_files: z.array(z.string()),
    seed: z.number().int(),
    status: z.enum(["validating_files", "queued", "running", "succeeded", "failed", "cancelled"]),
    trained_tokens: z.number().int().nullable(),
    training_file: z.string(),
    validation_file: z.string().nullable(),
    estimated_finish: z.number().int().nullable(),
    integrations: z.array(z.unknown()),
    metadata: z.record(z.string(), z.string()).nullable(),
    method: z.object({
      type: z.literal("supervised"),
      supervised: z.object({ hyperparameters: OpenAIHyperparametersOut }),
    }),
    user_provided_suffix: z.string().nullable(),
    safeguards: z.array(safeguardSchema).openapi({ description: "guardtune extension" }),
  })
  .openapi("FineTuningJob");
export type FineTuningJobObject = z.infer<typeof FineTuningJobSchema>;

/** `resultFiles`: ids of the job's released artifacts (adapter, metrics, evaluation report). */
export function toFineTuningJob(row: Job, resultFiles: string[]): FineTuningJobObject {
  const hp = row.config.method?.hyperparameters ?? HYPERPARAMETER_DEFAULTS;
  const hyperparameters = {
    batch_size: hp.batch_size,
    learning_rate_multiplier: hp.learning_rate / BASE_LEARNING_RATE,
    n_epochs: hp.n_epochs,
  };
  return {
    id: row.id,
    object: "fine_tuning.job",
    created_at: unixSeconds(row.createdAt)!,
    error: row.error ?? null,
    fine_tuned_model: row.fineTunedModel ?? null,
    finished_at: unixSeconds(row.finishedAt),
    hyperparameters,
    model: row.model,
    organization_id: row.tenantId,
    result_files: resultFiles,
    seed: row.config.seed ?? 0,
    status: OPENAI_STATUS[row.status],
    trained_tokens: row.status === "succeeded" ? row.trainedTokens : null,
    training_file: row.trainingDatasetId,
    validation_file: row.validationDatasetId ?? null,
    estimated_finish: unixSeconds(row.estimatedFinish),
    integrations: [],
    metadata: Object.keys(row.metadata).length > 0 ? row.metadata : null,
    method: { type: "supervised", supervised: { hyperparameters } },
    user_provided_suffix: row.config.suffix ?? null,
    safeguards: row.config.safeguards ?? [],
  };
}

export const FineTuningJobEventSchema = z
  .object({
    id: z.string(),
    object: z.literal("fine_tuning.job.event"),
    created_at: z.number().int(),
    level: z.enum(["info", "warn", "error"]),
    message: z.string(),
    data: z.record(z.string(), z.unknown()),
    type: z.enum(["message", "metrics"]),
  })
  .openapi("FineTuningJobEvent");

/** A job event as OpenAI's `fine_tuning.job.event` object. */
export const toFineTuningJobEvent = (e: JobEvent): z.infer<typeof FineTuningJobEventSchema> => ({
  id: e.id,
  object: "fine_tuning.job.event",
  created_at: unixSeconds(e.createdAt)!,
  level: e.level,
  message: e.message || e.type,
  data: { ...e.data, ...(e.step === null ? {} : { step: e.step }), event_type: e.type },
  type: e.type === "metrics" ? "metrics" : "message",
});

export const FineTuningJobCheckpointSchema = z
  .object({
    id: z.string(),
    object: z.literal("fine_tuning.job.checkpoint"),
    created_at: z.number().int(),
    fine_tuned_model_checkpoint: z.string(),
    fine_tuning_job_id: z.string(),
    metrics: z.record(z.string(), z.number()),
    step_number: z.number().int(),
  })
  .openapi("FineTuningJobCheckpoint");

/** A checkpoint as OpenAI's `fine_tuning.job.checkpoint` object. */
export const toFineTuningJobCheckpoint = (job: Job, c: Checkpoint): z.infer<typeof FineTuningJobCheckpointSchema> => ({
  id: c.id,
  object: "fine_tuning.job.checkpoint",
  created_at: unixSeconds(c.createdAt)!,
  fine_tuned_model_checkpoint: `ft:${job.model}:${job.config.suffix ?? ""}:${job.id}:ckpt-step-${c.step}`,
  fine_tuning_job_id: job.id,
  metrics: { step: c.step, ...("loss" in c.metrics ? { train_loss: c.metrics.loss } : {}), ...c.metrics },
  step_number: c.step,
});
