import { createHash } from "node:crypto";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import type { AwsResources } from "../../core/aws/resources.ts";
import type { Dataset } from "../../core/db/schema.ts";
import { permanent } from "../../core/errors.ts";

export interface FetchedDataset {
  path: string;
  sha256: string;
  bytes: number;
  /** True when the file came from the local cache. */
  cached: boolean;
}

/**
 * Streams a dataset's object from S3 to the local cache, hashing on the way, and checks size and SHA-256
 * against what validation recorded. Files are cached by content hash, so every job (and every attempt of
 * one job) on this runner reads a dataset once.
 */
export async function fetchDataset(
  aws: Pick<AwsResources, "s3" | "bucket">,
  dataset: Dataset,
  cacheDir: string,
): Promise<FetchedDataset> {
  const expectedSha = dataset.contentSha256 ?? dataset.sha256;
  const dir = path.join(cacheDir, "datasets");
  if (expectedSha) {
    const cachedPath = path.join(dir, `${expectedSha}.jsonl`);
    if (existsSync(cachedPath) && (await stat(cachedPath)).size === dataset.bytes) {
      return { path: cachedPath, sha256: expectedSha, bytes: dataset.bytes, cached: true };
    }
  }
  await mkdir(dir, { recursive: true });
  const staging = path.join(dir, `.${dataset.id}.${process.pid}.${Date.now()}.partial`);
  try {
    const out = await aws.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: dataset.objectKey }));
    if (!out.Body)
      throw permanent(
        "dataset_unavailable",
        `The dataset ${dataset.id} has no stored object.`,
        undefined,
        "training_dataset",
      );
    const hash = createHash("sha256");
    let bytes = 0;
    const body = out.Body as Readable;
    body.on("data", (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
    });
    await pipeline(body, createWriteStream(staging));
    const sha256 = hash.digest("hex");
    if (bytes !== dataset.bytes) {
      throw permanent(
        "dataset_changed",
        `The dataset ${dataset.id} holds ${bytes} bytes but was validated with ${dataset.bytes}; upload it again.`,
        undefined,
        "training_dataset",
      );
    }
    if (expectedSha && sha256 !== expectedSha) {
      throw permanent(
        "dataset_changed",
        `The dataset ${dataset.id} no longer matches its validated checksum; upload it again.`,
        undefined,
        "training_dataset",
      );
    }
    const finalPath = path.join(dir, `${sha256}.jsonl`);
    await rename(staging, finalPath);
    return { path: finalPath, sha256, bytes, cached: false };
  } catch (err) {
    if ((err as { name?: string }).name === "NoSuchKey") {
      throw permanent(
        "dataset_unavailable",
        `The stored file of dataset ${dataset.id} is missing; upload it again.`,
        err,
        "training_dataset",
      );
    }
    throw err;
  } finally {
    await rm(staging, { force: true });
  }
}
