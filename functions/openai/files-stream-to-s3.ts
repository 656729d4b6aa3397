import { createHash } from "node:crypto";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import type { AwsResources } from "../../core/aws/resources.ts";
import { ApiError } from "../../core/errors.ts";
import { DEFAULT_PART_SIZE } from "../datasets/presign-upload.ts";

export interface StoredUpload {
  bytes: number;
  sha256: string;
  etag: string;
  multipart: boolean;
}

/**
 * Writes a stream of unknown length to S3 holding at most one part (8 MiB) in memory: a single PUT when
 * the stream ends within the first part, a multipart upload otherwise. Refuses (and cleans up) streams
 * longer than `maxBytes` with a 413.
 */
export async function streamToS3(
  aws: AwsResources,
  key: string,
  next: () => Promise<Buffer | null>,
  maxBytes: number,
): Promise<StoredUpload> {
  const hash = createHash("sha256");
  let bytes = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let uploadId: string | undefined;
  const parts: Array<{ PartNumber: number; ETag: string }> = [];

  const tooLarge = () =>
    new ApiError({
      status: 413,
      code: "file_too_large",
      title: "Content Too Large",
      detail: `The file is larger than the maximum of ${maxBytes} bytes (GUARDTUNE_MAX_UPLOAD_BYTES).`,
      param: "file",
    });
  const flushPart = async () => {
    const body = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    uploadId ??= (await aws.s3.send(new CreateMultipartUploadCommand({ Bucket: aws.bucket, Key: key }))).UploadId;
    const PartNumber = parts.length + 1;
    const res = await aws.s3.send(
      new UploadPartCommand({
        Bucket: aws.bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber,
        Body: body,
        ContentLength: body.length,
      }),
    );
    parts.push({ PartNumber, ETag: res.ETag ?? "" });
  };

  try {
    for (let chunk = await next(); chunk !== null; chunk = await next()) {
      bytes += chunk.length;
      if (bytes > maxBytes) throw tooLarge();
      hash.update(chunk);
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= DEFAULT_PART_SIZE) await flushPart();
    }
    if (uploadId === undefined) {
      const body = Buffer.concat(pending, pendingBytes);
      const res = await aws.s3.send(
        new PutObjectCommand({ Bucket: aws.bucket, Key: key, Body: body, ContentLength: body.length }),
      );
      return { bytes, sha256: hash.digest("hex"), etag: res.ETag ?? "", multipart: false };
    }
    if (pendingBytes > 0) await flushPart();
    const done = await aws.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: aws.bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    return { bytes, sha256: hash.digest("hex"), etag: done.ETag ?? "", multipart: true };
  } catch (err) {
    if (uploadId !== undefined) {
      await aws.s3
        .send(new AbortMultipartUploadCommand({ Bucket: aws.bucket, Key: key, UploadId: uploadId }))
        .catch(() => undefined);
    }
    throw err;
  }
}
