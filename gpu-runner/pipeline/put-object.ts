import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from "@aws-sdk/client-s3";

/** Parts of 8 MiB: above S3's 5 MiB minimum, below the request-size limits of S3-compatible stores. */
export const PART_BYTES = 8 * 1024 * 1024;

/**
 * Stores `body` under `key`: one PUT when it is small, a multipart upload otherwise (checkpoints of larger
 * models exceed what one request may carry on some S3-compatible stores, including the embedded emulator).
 */
export async function putObject(
  s3: S3Client,
  bucket: string,
  key: string,
  body: Uint8Array,
  contentType: string,
): Promise<void> {
  if (body.byteLength <= PART_BYTES) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
    return;
  }
  const { UploadId } = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }),
  );
  try {
    const parts: Array<{ ETag: string; PartNumber: number }> = [];
    for (let offset = 0, n = 1; offset < body.byteLength; offset += PART_BYTES, n++) {
      const part = body.subarray(offset, Math.min(offset + PART_BYTES, body.byteLength));
      const out = await s3.send(
        new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: n, Body: part }),
      );
      parts.push({ ETag: out.ETag!, PartNumber: n });
    }
    await s3.send(
      new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }),
    );
  } catch (err) {
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId })).catch(() => undefined);
    throw err;
  }
}
