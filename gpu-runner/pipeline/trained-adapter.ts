import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import type { AwsResources } from "../../core/aws/resources.ts";
import {
  ADAPTER_CONFIG_FILE,
  ADAPTER_WEIGHTS_FILE,
  loadPeftAdapter,
  savePeftAdapter,
  type DecoderConfig,
  type LoraAdapter,
} from "../models/index.ts";
import type { StoredArtifact } from "./artifacts.ts";
import { putObject } from "./put-object.ts";

/**
 * The delivered adapter (after any SafeLoRA projection), stored next to the final training checkpoint
 * before evaluation starts. Finished training then survives anything after it: a retry resumes at the
 * evaluation stage with this adapter, and a job whose evaluation keeps failing still offers it.
 */
export const trainedAdapterPrefix = (checkpointPrefix: string) => `${checkpointPrefix}adapter/`;

const FILES = [
  { filename: ADAPTER_CONFIG_FILE, contentType: "application/json" },
  { filename: ADAPTER_WEIGHTS_FILE, contentType: "application/octet-stream" },
] as const;

export interface TrainedAdapter {
  adapter: LoraAdapter;
  /** The PEFT files as artifacts (kind `adapter`), ready to be recorded. */
  files: StoredArtifact[];
}

const stored = (prefix: string, filename: string, body: Uint8Array): StoredArtifact => ({
  kind: "adapter",
  filename,
  objectKey: `${prefix}${filename}`,
  bytes: body.byteLength,
  sha256: createHash("sha256").update(body).digest("hex"),
  withheld: false,
});

export async function saveTrainedAdapter(
  aws: Pick<AwsResources, "s3" | "bucket">,
  prefix: string,
  adapter: LoraAdapter,
): Promise<TrainedAdapter> {
  const dir = await mkdtemp(path.join(tmpdir(), "guardtune-trained-"));
  try {
    await savePeftAdapter(dir, adapter);
    const files: StoredArtifact[] = [];
    // The weights first: the config's presence is what marks the adapter complete for a resume.
    for (const f of [...FILES].reverse()) {
      const body = await readFile(path.join(dir, f.filename));
      await putObject(aws.s3, aws.bucket, `${prefix}${f.filename}`, body, f.contentType);
      files.unshift(stored(prefix, f.filename, body));
    }
    return { adapter, files };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The adapter stored under `prefix`, or null when training did not get that far. */
export async function loadTrainedAdapter(
  aws: Pick<AwsResources, "s3" | "bucket">,
  prefix: string,
  decoder: DecoderConfig,
): Promise<TrainedAdapter | null> {
  const dir = await mkdtemp(path.join(tmpdir(), "guardtune-trained-"));
  try {
    const files: StoredArtifact[] = [];
    for (const f of FILES) {
      let body: Uint8Array;
      try {
        const out = await aws.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: `${prefix}${f.filename}` }));
        body = await out.Body!.transformToByteArray();
      } catch (err) {
        if ((err as { name?: string }).name === "NoSuchKey") return null;
        throw err;
      }
      await writeFile(path.join(dir, f.filename), body);
      files.push(stored(prefix, f.filename, body));
    }
    return { adapter: await loadPeftAdapter(dir, decoder), files };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
