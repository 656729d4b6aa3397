import type { Job, JobErrorBody, JobStatus } from "../db/schema.ts";
import type { JobConfig } from "./job-config.ts";

/** Unix seconds, as every public object carries time. */
export const unixSeconds = (d: Date | null | undefined): number | null => (d ? Math.floor(d.getTime() / 1000) : null);

/** The native API's job object (also the `data` of `fine_tuning.job.*` webhook events). */
// A type alias (not an interface) so that it is a `Record<string, unknown>` for webhook payloads.
export type JobObject = {
  id: string;
  object: "job";
  status: JobStatus;
  model: string;
  training_dataset: string;
  validation_dataset: string | null;
  method: JobConfig["method"] | null;
  safeguards: JobConfig["safeguards"];
  evaluation: JobConfig["evaluation"] | null;
  seed: number | null;
  suffix: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  cancel_requested_at: number | null;
  estimated_finish: number | null;
  trained_tokens: number;
  attempts: number;
  error: JobErrorBody | null;
  /** `{ adapter, metrics, evaluation, gate }` once the job has ended. */
  result: Record<string, unknown> | null;
  fine_tuned_model: string | null;
  metadata: Record<string, string>;
  webhook: { endpoint_id: string } | null;
};

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
