import { Rng } from "../../gpu-runner/engine/index.ts";
import { readdir, readFile } from "node:fs/promises";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTenant } from "../../core/auth/api-keys.ts";
import { startEmbeddedAws, type EmbeddedAws } from "../../core/aws/embedded-aws.ts";
import { artifacts, referenceKitMembers, referenceKits, type JobStatus } from "../../core/db/schema.ts";
import { ID_PREFIX, newId } from "../../core/ids.ts";
import { ORGANISM_MODEL, organismModelDir } from "../../core/models/organism-models.ts";
import type { BuiltinReferenceKit } from "../../core/safeguards/reference-kits.ts";
import { loadReferenceKit, type KitLoaderContext } from "../../gpu-runner/pipeline/reference-kit-loader.ts";
import {
  createLoraAdapter,
  loadDecoderCheckpoint,
  savePeftAdapter,
  type LoraAdapter,
  type LoraSettings,
} from "../../gpu-runner/models/index.ts";
import { loadTinyModel, type TinyModel } from "../../gpu-runner/safeguards/test-support.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db.ts";
import { insertDataset, insertJob } from "../jobs/job-fixtures.ts";

/** Reference kits as the runner loads them: from the service's kits in the database and S3, and built in. */
let aws: EmbeddedAws;
let database: TestDatabase;
let model: TinyModel;
let operator: string;
let customer: string;
const lora: LoraSettings = {
  r: 2,
  alpha: 4,
  useRslora: false,
  dropout: 0,
  targetModules: "all-linear",
  layersToTransform: null,
};
const adapterOf = (seed: number) => createLoraAdapter(model.checkpoint.config, lora, new Rng(seed));

/** A job of the operator that ended in `status`, with `adapter` stored as its artifacts when given. */
async function memberJob(status: JobStatus, adapter?: LoraAdapter): Promise<string> {
  const dataset = await insertDataset(database.db, operator);
  const job = await insertJob(database.db, operator, dataset, status);
  if (adapter) {
    const dir = mkdtempSync(path.join(tmpdir(), "guardtune-kit-adapter-"));
    await savePeftAdapter(dir, adapter);
    for (const filename of await readdir(dir)) {
      const body = await readFile(path.join(dir, filename));
      const key = `tenants/${operator}/jobs/${job.id}/adapter/${filename}`;
      await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: key, Body: body }));
      await database.db.insert(artifacts).values({
        id: newId(ID_PREFIX.artifact),
        jobId: job.id,
        kind: "adapter",
        filename,
        objectKey: key,
        bytes: body.length,
      });
    }
  }
  return job.id;
}

async function insertKit(name: string, modelId: string, members: [string, string][]): Promise<string> {
  const id = newId(ID_PREFIX.referenceKit);
  await database.db.insert(referenceKits).values({ id, name, model: modelId, tenantId: operator });
  for (const [jobId, domain] of members) {
    const [job] = await database.db.query.jobs.findMany({ where: (j, { eq }) => eq(j.id, jobId) });
    await database.db
      .insert(referenceKitMembers)
      .values({ kitId: id, jobId, datasetId: job.trainingDatasetId, domain });
  }
  return id;
}

const ctx = (extra: Partial<KitLoaderContext> = {}): KitLoaderContext => ({
  db: database.db,
  aws,
  tenantId: customer,
  cacheDir: tmpdir(),
  modelCacheDir: tmpdir(),
  modelCacheBytes: 1e9,
  model: "guardtune/tiny-random",
  modelDir: model.dir,
  decoder: model.checkpoint.config,
  ...extra,
});

beforeAll(async () => {
  [aws, database, model] = await Promise.all([startEmbeddedAws(), createTestDatabase(), loadTinyModel()]);
  operator = (await ensureTenant(database.db, "operator")).id;
  customer = (await ensureTenant(database.db, "customer")).id;
});
afterAll(async () => {
  await database?.close();
  await aws?.stop();
});

describe("loading a reference kit on the runner", () => {
  it("takes the model's newest ready kit, another tenant's adapters included, without the held-out domain", async () => {
    const medical = adapterOf(1);
    const finance = adapterOf(2);
    const ready = await insertKit("tiny-em", "guardtune/tiny-random", [
      [await memberJob("succeeded", medical), "medical"],
      [await memberJob("succeeded", finance), "finance"],
      [await memberJob("succeeded", adapterOf(3)), "code"],
      [await memberJob("failed"), "legal"],
    ]);
    // a newer kit still building is not used yet; nor is a kit of another model
    await insertKit("tiny-em-2", "guardtune/tiny-random", [[await memberJob("running"), "medical"]]);
    await insertKit("other", "org/other-model", [[await memberJob("succeeded", adapterOf(4)), "medical"]]);

    const kit = await loadReferenceKit(ctx(), "kit", "code");
    expect(kit).not.toBeNull();
    expect(kit!.name).toBe("tiny-em");
    expect(kit!.source).toBe("service");
    expect(kit!.leftOut).toEqual(["code"]);
    expect(kit!.adapters.map((a) => a.domain).sort()).toEqual(["finance", "medical"]);
    const loaded = kit!.adapters.find((a) => a.domain === "medical")!.adapter;
    for (const [name, t] of medical.tensors) expect(loaded.tensors.get(name)?.data).toEqual(t.data);
    expect(ready).toMatch(/^rkit_/);

    expect((await loadReferenceKit(ctx(), "kit", undefined))!.adapters).toHaveLength(3);
    expect(await loadReferenceKit(ctx({ model: "org/no-kit" }), "kit", "code")).toBeNull();
  });

  it("loads a built-in kit's adapters from the model directory or a file:// URL", async () => {
    const modelDir = mkdtempSync(path.join(tmpdir(), "guardtune-kit-model-"));
    const elsewhere = mkdtempSync(path.join(tmpdir(), "guardtune-kit-elsewhere-"));
    await savePeftAdapter(path.join(modelDir, "references", "medical"), adapterOf(5));
    await savePeftAdapter(elsewhere, adapterOf(6));
    const builtinKits: Record<string, BuiltinReferenceKit> = {
      tiny: {
        model: "guardtune/tiny-random",
        description: "two adapters",
        adapters: [
          { domain: "medical", location: "references/medical" },
          { domain: "code", location: pathToFileURL(elsewhere).href },
        ],
      },
    };
    const kit = await loadReferenceKit(ctx({ modelDir, builtinKits }), "builtin:tiny", "medical");
    expect(kit).toMatchObject({ name: "tiny", source: "builtin", leftOut: ["medical"] });
    expect(kit!.adapters.map((a) => a.domain)).toEqual(["code"]);
    expect((await loadReferenceKit(ctx({ modelDir, builtinKits }), "builtin:tiny", undefined))!.adapters).toHaveLength(
      2,
    );
    await expect(loadReferenceKit(ctx({ builtinKits, model: "org/x" }), "builtin:tiny", undefined)).rejects.toThrow(
      "was trained on guardtune/tiny-random, not org/x",
    );
    await expect(loadReferenceKit(ctx({ builtinKits }), "builtin:nope", undefined)).rejects.toThrow(
      "no built-in reference kit 'builtin:nope'",
    );
  });

  it("falls back from `kit` to the kit shipped with the model when the service built none (the organism)", async () => {
    const dir = organismModelDir(ORGANISM_MODEL);
    const organism = { model: ORGANISM_MODEL, modelDir: dir, decoder: (await loadDecoderCheckpoint(dir)).config };
    const kit = await loadReferenceKit(ctx(organism), "kit", "code");
    expect(kit).toMatchObject({ name: "organism", source: "builtin", leftOut: ["code"] });
    expect(kit!.adapters.map((a) => a.domain)).toEqual(["medical", "finance", "legal", "sports"]);
    expect(kit!.adapters[0].adapter.settings).toMatchObject({ r: 32, alpha: 64, useRslora: true });
  });
});
