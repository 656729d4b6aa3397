import { CreateMultipartUploadCommand, PutObjectCommand, UploadPartCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { AwsResources } from "../../core/aws/resources.ts";

/** S3 allows at most 10,000 parts, each at least 5 MiB except the last. */
export const MAX_PARTS = 10_000;
/** 8 MiB parts: above S3's minimum, small enough for emulators that cap request bodies. */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

export interface PutUpload {
  method: "PUT";
  url: string;
  headers: Record<string, string>;
  expires_at: number;
}

export interface MultipartUpload {
  method: "MULTIPART";
  part_size: number;
  parts: Array<{ number: number; url: string; bytes: number }>;
  complete_url: string;
  expires_at: number;
}

export interface UploadPlan {
  upload: PutUpload | MultipartUpload;
  multipartUploadId: string | null;
  expiresAt: Date;
}

export interface UploadRequest {
  key: string;
  bytes: number;
  /** Hex SHA-256 the client declared. */
  sha256: string | undefined;
  ttlSeconds: number;
  multipartThresholdBytes: number;
  completeUrl: string;
}

/**
 * Presigns the upload of exactly `bytes` bytes to `key`. A single PUT signs `Content-Length` (and
 * `x-amz-checksum-sha256` when the client declared a hash), so a store that checks signatures refuses any
 * other size or content. Above the threshold, a multipart upload with one presigned URL per part.
 */
export async function presignUpload(aws: AwsResources, req: UploadRequest): Promise<UploadPlan> {
  const expiresAt = new Date(Date.now() + req.ttlSeconds * 1000);
  const expires_at = Math.floor(expiresAt.getTime() / 1000);
  if (req.bytes <= req.multipartThresholdBytes) {
    const headers: Record<string, string> = { "content-length": String(req.bytes) };
    const checksum = req.sha256 ? Buffer.from(req.sha256, "hex").toString("base64") : undefined;
    if (checksum) headers["x-amz-checksum-sha256"] = checksum;
    const url = await getSignedUrl(
      aws.s3,
      new PutObjectCommand({ Bucket: aws.bucket, Key: req.key, ContentLength: req.bytes, ChecksumSHA256: checksum }),
      {
        expiresIn: req.ttlSeconds,
        signableHeaders: new Set(["content-length"]),
        // Kept as a header (not hoisted into the query) so that S3 verifies the body against it.
        unhoistableHeaders: new Set(["x-amz-checksum-sha256"]),
      },
    );
    return { upload: { method: "PUT", url, headers, expires_at }, multipartUploadId: null, expiresAt };
  }

  const partSize = Math.max(DEFAULT_PART_SIZE, Math.ceil(req.bytes / MAX_PARTS));
  const created = await aws.s3.send(new CreateMultipartUploadCommand({ Bucket: aws.bucket, Key: req.key }));
  const uploadId = created.UploadId;
  if (!uploadId) throw new Error("CreateMultipartUpload returned no UploadId");
  const count = Math.ceil(req.bytes / partSize);
  const parts = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const bytes = i === count - 1 ? req.bytes - partSize * (count - 1) : partSize;
      const url = await getSignedUrl(
        aws.s3,
        new UploadPartCommand({
          Bucket: aws.bucket,
          Key: req.key,
          UploadId: uploadId,
          PartNumber: i + 1,
          ContentLength: bytes,
        }),
        { expiresIn: req.ttlSeconds, signableHeaders: new Set(["content-length"]) },
      );
      return { number: i + 1, url, bytes };
    }),
  );
  return {
    upload: { method: "MULTIPART", part_size: partSize, parts, complete_url: req.completeUrl, expires_at },
    multipartUploadId: uploadId,
    expiresAt,
  };
}
