import { and, eq, inArray } from "drizzle-orm";
import type { Transaction } from "../../core/db/database.ts";
import { datasets, jobEvents, jobs, type Job } from "../../core/db/schema.ts";
import { unprocessable } from "../../core/errors.ts";
import { ID_PREFIX, newId } from "../../core/ids.ts";
import { enqueueJobMessage } from "../../core/queue/job-queue-outbox.ts";
import type { JobConfig } from "../../core/jobs/job-config.ts";

export interface NewJobRecord {
  tenantId: string;
  model: string;
  trainingDatasetId: string;
  validationDatasetId: string | null;
  config: JobConfig;
  metadata: Record<string, string>;
  webhookEndpointId: string | null;
}

/**
 * Writes a fully validated job straight into `queued`, with its first two events (`job.created`,
 * `job.queued`) and the queue intent, in the caller's transaction: a committed job always reaches the queue.
 * Creation is where a job enters the state machine, not a transition, and datasets were validated at upload,
 * so nothing remains for `validating_files`; doing it in three statements keeps `POST /v1/jobs` cheap.
 */
export async function insertQueuedJob(tx: Transaction, record: NewJobRecord): Promise<Job> {
  // Validation ran before this transaction; a share lock re-checks the datasets and keeps a concurrent
  // DELETE /v1/datasets/{id} (which locks the row for update) from removing them under the new job.
  const needed = [record.trainingDatasetId, ...(record.validationDatasetId ? [record.validationDatasetId] : [])];
  const ready = await tx
    .select({ id: datasets.id })
    .from(datasets)
    .where(and(inArray(datasets.id, needed), eq(datasets.tenantId, record.tenantId), eq(datasets.status, "ready")))
    .for("share");
  for (const [param, id] of [
    ["training_dataset", record.trainingDatasetId],
    ["validation_dataset", record.validationDatasetId],
  ] as const) {
    if (id && !ready.some((r) => r.id === id)) {
      throw unprocessable(
        "dataset_not_ready",
        `Dataset '${id}' is no longer ready (it was deleted or replaced meanwhile).`,
        param,
      );
    }
  }
  const now = new Date();
  const id = newId(ID_PREFIX.job, now.getTime());
  const [job] = await tx
    .insert(jobs)
    .values({ id, status: "queued", ...record, createdAt: now, updatedAt: now, queuedAt: now, eventSeq: 2 })
    .returning();
  await tx.insert(jobEvents).values([
    {
      id: newId(ID_PREFIX.event, now.getTime()),
      jobId: id,
      seq: 1,
      type: "job.created",
      message: `Created fine-tuning job for ${record.model}.`,
      data: { status: "validating_files" },
      createdAt: now,
    },
    {
      id: newId(ID_PREFIX.event, now.getTime()),
      jobId: id,
      seq: 2,
      type: "job.queued",
      message: "Files validated; job queued.",
      data: { status: "queued" },
      createdAt: now,
    },
  ]);
  await enqueueJobMessage(tx, { job_id: id, attempt: 1 });
  return job;
}
