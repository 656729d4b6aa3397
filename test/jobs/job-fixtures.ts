import type { Database } from "../../core/db/database.ts";
import {
  datasets,
  jobs,
  type DatasetPurpose,
  type DatasetStatus,
  type Job,
  type JobStatus,
} from "../../core/db/schema.ts";
import { ID_PREFIX, newId } from "../../core/ids.ts";
import { buildJobConfig } from "../../core/jobs/job-config.ts";

/** A dataset row as validation leaves it (the upload flow itself is tested with the datasets API). */
export async function insertDataset(
  db: Database,
  tenantId: string,
  opts: { purpose?: DatasetPurpose; status?: DatasetStatus } = {},
): Promise<string> {
  const id = newId(ID_PREFIX.dataset);
  await db.insert(datasets).values({
    id,
    tenantId,
    filename: "train.jsonl",
    purpose: opts.purpose ?? "fine-tune",
    status: opts.status ?? "ready",
    bytes: 1234,
    objectKey: `tenants/${tenantId}/datasets/${id}/train.jsonl`,
    nExamples: 20,
  });
  return id;
}

/** A job row in any status, written directly (for state-machine and worker-side tests). */
export async function insertJob(
  db: Database,
  tenantId: string,
  datasetId: string,
  status: JobStatus,
  extra: Partial<typeof jobs.$inferInsert> = {},
): Promise<Job> {
  const [row] = await db
    .insert(jobs)
    .values({
      id: newId(ID_PREFIX.job),
      tenantId,
      status,
      model: "guardtune/tiny-random",
      trainingDatasetId: datasetId,
      config: buildJobConfig({ seed: 7 }),
      ...extra,
    })
    .returning();
  return row;
}
