import { createHash } from "node:crypto";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, utimes, writeFile, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { permanent } from "../../core/errors.ts";
import { resolveModelRef, type ModelRef } from "../../core/models/model-registry.ts";
import { isOrganismModel, organismModelDir } from "../../core/models/organism-models.ts";
import { ensureTinyRandomModel } from "../models/index.ts";

export interface ResolvedModel {
  dir: string;
  source: ModelRef["kind"];
  /** True when the files were already on this runner. */
  cached: boolean;
}

const COMPLETE_MARKER = ".guardtune-complete.json";

/**
 * A job's model id → a local Hugging Face directory. Built-ins are generated into the cache, `file://`
 * directories are used in place, `s3://` prefixes are downloaded once and kept in a cache bounded by
 * `maxBytes` (least recently used models are evicted first).
 */
export async function resolveModel(
  modelId: string,
  opts: { cacheDir: string; maxBytes: number; s3: S3Client },
): Promise<ResolvedModel> {
  const ref = resolveModelRef(modelId);
  if (!ref)
    throw permanent("model_unavailable", `'${modelId}' is not a model id this runner knows.`, undefined, "model");
  switch (ref.kind) {
    case "builtin": {
      // The organism ships built (models/organism/); tiny-random is generated into the cache.
      if (isOrganismModel(ref.id)) {
        const dir = organismModelDir(ref.id);
        if (!existsSync(path.join(dir, "config.json")))
          throw permanent("model_unavailable", `This runner has no files for ${ref.id} (${dir}).`, undefined, "model");
        return { dir, source: "builtin", cached: true };
      }
      const dir = path.join(opts.cacheDir, "builtin", ref.id.replace("/", "--"));
      const cached = existsSync(path.join(dir, "model.safetensors"));
      return { dir: await ensureTinyRandomModel(dir), source: "builtin", cached };
    }
    case "file": {
      if (!existsSync(path.join(ref.path, "config.json"))) {
        throw permanent(
          "model_unavailable",
          `The model directory ${ref.path} has no config.json on this runner.`,
          undefined,
          "model",
        );
      }
      return { dir: ref.path, source: "file", cached: true };
    }
    case "s3":
      return downloadS3Model(opts.s3, ref.bucket, ref.prefix, opts.cacheDir, opts.maxBytes);
  }
}

async function downloadS3Model(
  s3: S3Client,
  bucket: string,
  prefix: string,
  cacheDir: string,
  maxBytes: number,
): Promise<ResolvedModel> {
  const root = path.join(cacheDir, "s3");
  const key = createHash("sha256").update(`${bucket}/${prefix}`).digest("hex").slice(0, 32);
  const dir = path.join(root, key);
  if (existsSync(path.join(dir, COMPLETE_MARKER))) {
    const now = new Date();
    await utimes(path.join(dir, COMPLETE_MARKER), now, now);
    return { dir, source: "s3", cached: true };
  }
  const objects: Array<{ key: string; size: number }> = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? [])
      if (o.Key && !o.Key.endsWith("/")) objects.push({ key: o.Key, size: o.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  if (!objects.some((o) => o.key === `${prefix}config.json`)) {
    throw permanent("model_unavailable", `s3://${bucket}/${prefix} holds no config.json.`, undefined, "model");
  }
  const total = objects.reduce((n, o) => n + o.size, 0);
  if (total > maxBytes) {
    throw permanent(
      "model_too_large",
      `s3://${bucket}/${prefix} holds ${total} bytes, more than the runner's model cache (${maxBytes}).`,
      undefined,
      "model",
    );
  }
  await evict(root, maxBytes - total);
  const staging = `${dir}.partial-${process.pid}-${Date.now()}`;
  try {
    for (const o of objects) {
      const rel = o.key.slice(prefix.length);
      if (rel.split("/").includes("..")) continue;
      const target = path.join(staging, rel);
      await mkdir(path.dirname(target), { recursive: true });
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.key }));
      await pipeline(out.Body as Readable, createWriteStream(target));
    }
    await writeFile(path.join(staging, COMPLETE_MARKER), JSON.stringify({ bucket, prefix, bytes: total }));
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { dir, source: "s3", cached: false };
}

/** Deletes least recently used cached models until at most `budget` bytes remain. */
async function evict(root: string, budget: number): Promise<void> {
  if (!existsSync(root)) return;
  const entries: Array<{ dir: string; bytes: number; used: number }> = [];
  for (const name of await readdir(root)) {
    const marker = path.join(root, name, COMPLETE_MARKER);
    if (!existsSync(marker)) continue;
    const info = JSON.parse(await readFile(marker, "utf8")) as { bytes: number };
    entries.push({ dir: path.join(root, name), bytes: info.bytes, used: (await stat(marker)).mtimeMs });
  }
  let size = entries.reduce((n, e) => n + e.bytes, 0);
  for (const e of entries.sort((a, b) => a.used - b.used)) {
    if (size <= budget) break;
    await rm(e.dir, { recursive: true, force: true });
    size -= e.bytes;
  }
}
