import { GetObjectCommand } from "@aws-sdk/client-s3";
import { and, desc, eq } from "drizzle-orm";
import type { AwsResources } from "../../core/aws/resources.ts";
import type { Database } from "../../core/db/database.ts";
import { checkpoints } from "../../core/db/schema.ts";
import { ID_PREFIX, newId } from "../../core/ids.ts";
import { putObject } from "./put-object.ts";

export const TRAINING_STATE_FILE = "training-state.safetensors";

export const jobPrefix = (tenantId: string, jobId: string) => `tenants/${tenantId}/jobs/${jobId}/`;

/**
 * Training checkpoints of one job: the state file in S3 under `tenants/<t>/jobs/<id>/checkpoints/<step>/`
 * and a `checkpoints` row with the step's metrics. The row is written first as incomplete and marked
 * complete only after the object is stored, so a crash mid-upload never offers a torn checkpoint.
 */
export class CheckpointStore {
  constructor(
    private readonly db: Database,
    private readonly aws: Pick<AwsResources, "s3" | "bucket">,
    private readonly job: { id: string; tenantId: string },
  ) {}

  prefix(step: number): string {
    return `${jobPrefix(this.job.tenantId, this.job.id)}checkpoints/${step}/`;
  }

  async save(step: number, state: Uint8Array, metrics: Record<string, number>): Promise<void> {
    const objectPrefix = this.prefix(step);
    await this.db
      .insert(checkpoints)
      .values({ id: newId(ID_PREFIX.checkpoint), jobId: this.job.id, step, objectPrefix, metrics, complete: 0 })
      .onConflictDoUpdate({
        target: [checkpoints.jobId, checkpoints.step],
        set: { metrics, complete: 0, objectPrefix },
      });
    await putObject(
      this.aws.s3,
      this.aws.bucket,
      `${objectPrefix}${TRAINING_STATE_FILE}`,
      state,
      "application/octet-stream",
    );
    await this.db
      .update(checkpoints)
      .set({ complete: 1 })
      .where(and(eq(checkpoints.jobId, this.job.id), eq(checkpoints.step, step)));
  }

  /** The newest complete checkpoint whose object can be read, or null. */
  async latest(): Promise<{ step: number; state: Uint8Array } | null> {
    const rows = await this.db
      .select({ step: checkpoints.step, objectPrefix: checkpoints.objectPrefix })
      .from(checkpoints)
      .where(and(eq(checkpoints.jobId, this.job.id), eq(checkpoints.complete, 1)))
      .orderBy(desc(checkpoints.step));
    for (const row of rows) {
      try {
        const out = await this.aws.s3.send(
          new GetObjectCommand({ Bucket: this.aws.bucket, Key: `${row.objectPrefix}${TRAINING_STATE_FILE}` }),
        );
        if (!out.Body) continue;
        return { step: row.step, state: await out.Body.transformToByteArray() };
      } catch (err) {
        if ((err as { name?: string }).name === "NoSuchKey") continue;
        throw err;
      }
    }
    return null;
  }
}
