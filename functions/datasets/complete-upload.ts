import { CompleteMultipartUploadCommand, HeadObjectCommand, S3ServiceException } from "@aws-sdk/client-s3";
import type { Dataset, Tenant } from "../../core/db/schema.ts";
import { unquote } from "../../core/aws/upload-notification.ts";
import { ApiError, conflict, unprocessable } from "../../core/errors.ts";
import type { AppDeps } from "../deps.ts";
import { getTenantDataset } from "./dataset-queries.ts";
import { enqueueObjectCreated } from "./enqueue-notification.ts";

const s3Code = (err: unknown) => (err instanceof S3ServiceException ? err.name : undefined);

/**
 * The client's "my upload is done" call. Completes a multipart upload, checks that the object exists, and
 * puts the same ObjectCreated notification S3 would send on the uploads queue, so that one consumer
 * validates uploads whether or not the store delivers notifications. Idempotent: the consumer dedupes on
 * object key + ETag, and a dataset already past `awaiting_upload` is returned as it is.
 */
export async function completeUpload(
  deps: Pick<AppDeps, "db" | "aws" | "config">,
  tenant: Tenant,
  id: string,
  parts: Array<{ number: number; etag: string }> | undefined,
): Promise<Dataset> {
  const row = await getTenantDataset(deps.db, tenant.id, id);
  if (row.status !== "awaiting_upload") return row;
  const { s3, bucket } = deps.aws;
  const multipart = row.uploadMode === "MULTIPART";
  if (multipart) {
    if (!parts)
      throw unprocessable(
        "parts_required",
        "This dataset uses a multipart upload: send every part's number and ETag.",
        "parts",
      );
    try {
      await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: row.objectKey,
          UploadId: row.multipartUploadId ?? undefined,
          MultipartUpload: {
            Parts: [...parts]
              .sort((a, b) => a.number - b.number)
              .map((p) => ({ PartNumber: p.number, ETag: `"${unquote(p.etag)}"` })),
          },
        }),
      );
    } catch (err) {
      const code = s3Code(err);
      // NoSuchUpload after a completed upload means a retried call: fall through to HeadObject.
      if (code === "InvalidPart" || code === "InvalidPartOrder" || code === "EntityTooSmall") {
        throw unprocessable(
          "invalid_parts",
          `The store refused the parts list (${code}): ${(err as Error).message}`,
          "parts",
        );
      }
      if (code !== "NoSuchUpload") throw err;
    }
  }
  let head;
  try {
    head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: row.objectKey }));
  } catch (err) {
    const code = s3Code(err);
    if (code === "NotFound" || code === "NoSuchKey" || code === "NoSuchUpload") {
      throw conflict(
        "upload_not_found",
        multipart
          ? "The multipart upload is not complete: upload every part, then call complete with their ETags."
          : "Nothing has been uploaded yet: PUT the file to the presigned URL first.",
      );
    }
    throw err;
  }
  if (!head.ETag)
    throw new ApiError({
      status: 502,
      code: "store_error",
      title: "Bad Gateway",
      detail: "The object store returned no ETag.",
    });
  await enqueueObjectCreated(deps, { key: row.objectKey, size: head.ContentLength ?? 0, etag: head.ETag, multipart });
  return row;
}
