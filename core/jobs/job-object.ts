import { z } from "zod";
import { JOB_STATUSES, type Job } from "../db/schema.ts";
import { evaluationConfigSchema } from "../safeguards/evaluation-config.ts";
import { safeguardSchema } from "../safeguards/safeguard-config.ts";
import { methodSchema, type JobConfig } from "./job-config.ts";

/** Unix seconds, as every public object carries time. */
export const unixSeconds = (d: Date | null | undefined): number | null => (d ? Math.floor(d.getTime() / 1000) : null);

/** A job's error: a stable code, a message, and the request field it is about. */
export const jobErrorSchema = z.object({ code: z.string(), message: z.string(), param: z.string().nullable() });

/**
 * The native API's job object (also the `data` of `fine_tuning.job.*` webhook events). `method`,
 * `safeguards` and `evaluation` are the stored configuration, every default filled in, in their request
 * schemas' exact shapes. The API adds its OpenAPI name to this schema (`functions/jobs/job-schemas.ts`).
 */
export const jobObjectSchema = z.object({
  id: z.string(),
  object: z.literal("job"),
  status: z.enum(JOB_STATUSES),
  model: z.string(),
  training_dataset: z.string(),
  validation_dataset: z.string().nullable(),
  method: methodSchema.nullable(),
  safeguards: z.array(safeguardSchema),
  evaluation: evaluationConfigSchema.nullable(),
  seed: z.number().int().nullable(),
  suffix: z.string().nullable(),
  created_at: z.number().int().describe("Unix seconds"),
  started_at: z.number().int().nullable(),
  finished_at: z.number().int().nullable(),
  cancel_requested_at: z.number().int().nullable(),
  estimated_finish: z.number().int().nullable(),
  trained_tokens: z.number().int(),
  attempts: z.number().int(),
  error: jobErrorSchema.nullable(),
  /** `{ adapter, metrics, evaluation, gate, safeguards }` once the job has ended. */
  result: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe(
      "`{ adapter, metrics, evaluation, gate, safeguards }` once the job has ended. On the model organism " +
        "`evaluation.organism = { base, fine_tuned }` holds its exact judge's metrics (docs/organism.md).",
    ),
  fine_tuned_model: z.string().nullable(),
  metadata: z.record(z.string(), z.string()),
  webhook: z.object({ endpoint_id: z.string() }).nullable(),
});
// z.infer gives a type alias (not an interface), so it is a `Record<string, unknown>` for webhook payloads.
export type JobObject = z.infer<typeof jobObjectSchema>;

export function toJobObject(row: Job): JobObject {
  // `jobs.config` is written only from `buildJobConfig`; a partial row still renders.
  const config: Partial<JobConfig> = row.config;
  return {
    id: row.id,
    object: "job",
    status: row.status,
    model: row.model,
    training_dataset: row.trainingDatasetId,
    validation_dataset: row.validationDatasetId ?? null,
    method: config.method ?? null,
    safeguards: config.safeguards ?? [],
    evaluation: config.evaluation ?? null,
    seed: config.seed ?? null,
    suffix: config.suffix ?? null,
    created_at: unixSeconds(row.createdAt)!,
    started_at: unixSeconds(row.startedAt),
    finished_at: unixSeconds(row.finishedAt),
    cancel_requested_at: unixSeconds(row.cancelRequestedAt),
    estimated_finish: unixSeconds(row.estimatedFinish),
    trained_tokens: row.trainedTokens,
    attempts: row.attempts,
    error: row.error ?? null,
    result: row.result ?? null,
    fine_tuned_model: row.fineTunedModel ?? null,
    metadata: row.metadata,
    webhook: row.webhookEndpointId ? { endpoint_id: row.webhookEndpointId } : null,
  };
}
