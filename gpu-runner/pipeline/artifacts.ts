import { createHash } from "node:crypto";
import type { AwsResources } from "../../core/aws/resources.ts";
import type { Queryable } from "../../core/db/database.ts";
import { artifacts } from "../../core/db/schema.ts";
import { ID_PREFIX, newId } from "../../core/ids.ts";
import { jobPrefix } from "./checkpoint-store.ts";
import { putObject } from "./put-object.ts";

export type ArtifactKind = "adapter" | "metrics" | "evaluation";

export interface ArtifactFile {
  kind: ArtifactKind;
  filename: string;
  body: Uint8Array;
  contentType: string;
  /** Stored but not listed by default (an adapter withheld by the misalignment gate). */
  withheld?: boolean;
}

export interface StoredArtifact {
  kind: ArtifactKind;
  filename: string;
  objectKey: string;
  bytes: number;
  sha256: string;
  withheld: boolean;
}

/** Uploads a job's result files under `tenants/<t>/jobs/<id>/artifacts/<kind>/<file>`. */
export async function uploadArtifacts(
  aws: Pick<AwsResources, "s3" | "bucket">,
  job: { id: string; tenantId: string },
  files: readonly ArtifactFile[],
): Promise<StoredArtifact[]> {
  const stored: StoredArtifact[] = [];
  for (const f of files) {
    const objectKey = `${jobPrefix(job.tenantId, job.id)}artifacts/${f.kind}/${f.filename}`;
    await putObject(aws.s3, aws.bucket, objectKey, f.body, f.contentType);
    stored.push({
      kind: f.kind,
      filename: f.filename,
      objectKey,
      bytes: f.body.byteLength,
      sha256: createHash("sha256").update(f.body).digest("hex"),
      withheld: f.withheld ?? false,
    });
  }
  return stored;
}

/** Records uploaded artifacts (in the caller's transaction, next to the job's terminal state). */
export async function recordArtifacts(db: Queryable, jobId: string, stored: readonly StoredArtifact[]): Promise<void> {
  for (const a of stored) {
    const values = { objectKey: a.objectKey, bytes: a.bytes, sha256: a.sha256, withheld: a.withheld ? 1 : 0 };
    await db
      .insert(artifacts)
      .values({ id: newId(ID_PREFIX.artifact), jobId, kind: a.kind, filename: a.filename, ...values })
      .onConflictDoUpdate({ target: [artifacts.jobId, artifacts.kind, artifacts.filename], set: values });
  }
}

export const jsonFile = (kind: ArtifactKind, filename: string, value: unknown): ArtifactFile => ({
  kind,
  filename,
  body: new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`),
  contentType: "application/json",
});
