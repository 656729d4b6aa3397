import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedAws, type EmbeddedAws } from "../../core/aws/embedded-aws.ts";
import { JobError } from "../../core/errors.ts";
import { resolveModel } from "../../gpu-runner/pipeline/resolve-model.ts";
import { TEST_MODEL_CACHE } from "./runner-fixtures.ts";

let aws: EmbeddedAws;
let tinyDir: string;
let modelBytes = 0;

beforeAll(async () => {
  aws = await startEmbeddedAws();
  tinyDir = (await resolveModel("guardtune/tiny-random", { cacheDir: TEST_MODEL_CACHE, maxBytes: 1e9, s3: aws.s3 }))
    .dir;
  // The same model stored twice in the bucket, as a self-hoster would upload a Hugging Face directory.
  for (const prefix of ["models/a/", "models/b/"]) {
    for (const file of readdirSync(tinyDir)) {
      const body = readFileSync(path.join(tinyDir, file));
      if (prefix === "models/a/") modelBytes += body.length;
      await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: `${prefix}${file}`, Body: body }));
    }
  }
});
afterAll(async () => {
  await aws?.stop();
});

describe("model resolution", () => {
  it("downloads an s3:// model once and evicts the least recently used one when the cache is full", async () => {
    const cacheDir = mkdtempSync(path.join(tmpdir(), "guardtune-model-cache-"));
    // Room for one copy of the model, not two.
    const opts = { cacheDir, maxBytes: Math.floor(modelBytes * 1.5), s3: aws.s3 };
    const a = await resolveModel(`s3://${aws.bucket}/models/a/`, opts);
    expect(a.cached).toBe(false);
    expect(
      readFileSync(path.join(a.dir, "model.safetensors")).equals(readFileSync(path.join(tinyDir, "model.safetensors"))),
    ).toBe(true);
    expect((await resolveModel(`s3://${aws.bucket}/models/a/`, opts)).cached).toBe(true);
    const b = await resolveModel(`s3://${aws.bucket}/models/b`, opts);
    expect(b.cached).toBe(false);
    expect(existsSync(a.dir)).toBe(false);
    expect(existsSync(path.join(b.dir, "config.json"))).toBe(true);
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it("uses file:// directories in place and refuses what it cannot load, naming the model", async () => {
    const opts = { cacheDir: TEST_MODEL_CACHE, maxBytes: 1e9, s3: aws.s3 };
    expect((await resolveModel(`file://${tinyDir}`, opts)).dir).toBe(tinyDir);
    for (const id of ["file:///nonexistent/model", `s3://${aws.bucket}/models/missing/`, "org/unknown-model"]) {
      const err = await resolveModel(id, opts).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(JobError);
      expect(err).toMatchObject({ code: "model_unavailable", retryable: false, param: "model" });
    }
  });
});
