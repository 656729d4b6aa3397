import type { Tenant } from "../../core/db/schema.ts";
import { datasets } from "../../core/db/schema.ts";
import { appendDatasetEvent } from "./dataset-transitions.ts";
import { datasetObjectKey, toDatasetObject, type DatasetObject } from "./dataset-object.ts";
import { ApiError } from "../../core/errors.ts";
import { ID_PREFIX, newId } from "../../core/ids.ts";
import type { AppDeps } from "../deps.ts";
import { presignPost, type PostUpload } from "./presign-post.ts";
import { presignUpload, type MultipartUpload, type PutUpload } from "./presign-upload.ts";

export interface CreateDatasetInput {
  filename: string;
  purpose: DatasetObject["purpose"];
  bytes: number;
  sha256?: string | undefined;
}

/**
 * Registers a dataset awaiting its upload and presigns that upload: a PUT (multipart above the threshold),
 * or with GUARDTUNE_UPLOAD_MODE=post a form POST whose policy pins the size. Size limits are enforced
 * before anything is presigned; the row is written only once presigning succeeded.
 */
export async function createDataset(
  deps: Pick<AppDeps, "db" | "aws" | "config">,
  tenant: Tenant,
  input: CreateDatasetInput,
  apiBaseUrl: string,
): Promise<{ dataset: DatasetObject; upload: PutUpload | MultipartUpload | PostUpload }> {
  const limits = deps.config.uploads;
  if (input.bytes > limits.maxBytes) {
    throw new ApiError({
      status: 413,
      code: "file_too_large",
      title: "Content Too Large",
      detail: `The file is ${input.bytes} bytes; the maximum is ${limits.maxBytes} bytes (GUARDTUNE_MAX_UPLOAD_BYTES).`,
      param: "bytes",
    });
  }
  const id = newId(ID_PREFIX.dataset);
  const key = datasetObjectKey(tenant.id, id, input.filename);
  const sha256 = input.sha256?.toLowerCase();
  const plan: { upload: PutUpload | MultipartUpload | PostUpload; multipartUploadId: string | null; expiresAt: Date } =
    limits.mode === "post"
      ? {
          ...(await presignPost(deps.aws, { key, bytes: input.bytes, ttlSeconds: limits.urlTtlSeconds })),
          multipartUploadId: null,
        }
      : await presignUpload(deps.aws, {
          key,
          bytes: input.bytes,
          sha256,
          ttlSeconds: limits.urlTtlSeconds,
          multipartThresholdBytes: limits.multipartThresholdBytes,
          completeUrl: `${apiBaseUrl}/v1/datasets/${id}/complete`,
        });
  const row = await deps.db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(datasets)
      .values({
        id,
        tenantId: tenant.id,
        filename: input.filename,
        purpose: input.purpose,
        status: "awaiting_upload",
        bytes: input.bytes,
        sha256: sha256 ?? null,
        objectKey: key,
        uploadMode: plan.upload.method,
        multipartUploadId: plan.multipartUploadId,
        uploadExpiresAt: plan.expiresAt,
      })
      .returning();
    await appendDatasetEvent(tx, id, "dataset.created", {
      to: "awaiting_upload",
      upload: plan.upload.method,
      bytes: input.bytes,
    });
    return inserted;
  });
  return { dataset: toDatasetObject(row), upload: plan.upload };
}
