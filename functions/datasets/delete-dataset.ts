import { AbortMultipartUploadCommand, DeleteObjectCommand } from "@aws-sdk/client-s3";
import { and, eq, inArray, ne, or } from "drizzle-orm";
import { datasets, jobs, type JobStatus, type Tenant } from "../../core/db/schema.ts";
import { transitionDataset } from "./dataset-transitions.ts";
import { conflict, notFound } from "../../core/errors.ts";
import type { AppDeps } from "../deps.ts";

/** Jobs in these states still need their datasets. */
export const JOB_STATUSES_USING_DATASETS: readonly JobStatus[] = [
  "validating_files",
  "queued",
  "running",
  "cancelling",
];

/**
 * Deletes a dataset: refused with 409 while an unfinished job uses it. The row stays (jobs reference it)
 * with status `deleted`; the object is removed from the store after the commit.
 */
export async function deleteDataset(
  deps: Pick<AppDeps, "db" | "aws" | "logger">,
  tenant: Tenant,
  id: string,
): Promise<void> {
  const row = await deps.db.transaction(async (tx) => {
    // Locks the row: a job created concurrently must wait for this decision.
    const [current] = await tx
      .select()
      .from(datasets)
      .where(and(eq(datasets.id, id), eq(datasets.tenantId, tenant.id), ne(datasets.status, "deleted")))
      .for("update");
    if (!current) throw notFound("dataset", id, "id");
    const users = await tx
      .select({ id: jobs.id, status: jobs.status })
      .from(jobs)
      .where(
        and(
          or(eq(jobs.trainingDatasetId, id), eq(jobs.validationDatasetId, id)),
          inArray(jobs.status, [...JOB_STATUSES_USING_DATASETS]),
        ),
      )
      .limit(5);
    if (users.length > 0) {
      throw conflict(
        "dataset_in_use",
        `The dataset is used by ${users.map((j) => `${j.id} (${j.status})`).join(", ")}; cancel or wait for ${users.length > 1 ? "them" : "it"} first.`,
        "id",
      );
    }
    await transitionDataset(tx, id, { from: current.status, to: "deleted", set: { deletedAt: new Date() } });
    return current;
  });
  const { s3, bucket } = deps.aws;
  try {
    if (row.status === "awaiting_upload" && row.multipartUploadId) {
      await s3.send(
        new AbortMultipartUploadCommand({ Bucket: bucket, Key: row.objectKey, UploadId: row.multipartUploadId }),
      );
    }
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: row.objectKey }));
  } catch (err) {
    // The dataset is gone for the API either way; a leftover object is only storage (a lifecycle rule sweeps it).
    deps.logger.warn({ err, datasetId: id, key: row.objectKey }, "could not delete dataset object");
  }
}
