import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { and, eq } from "drizzle-orm";
import type { AwsResources } from "../../core/aws/resources.ts";
import type { Database } from "../../core/db/database.ts";
import { artifacts, datasets, jobs } from "../../core/db/schema.ts";
import { permanent } from "../../core/errors.ts";
import {
  loadDecoderCheckpoint,
  loadPeftAdapter,
  type DecoderConfig,
  type F32Tensor,
  type LoraAdapter,
} from "../models/index.ts";
import type { PoolItem } from "../safeguards/pool-item.ts";
import { fetchDataset } from "./fetch-dataset.ts";
import { readConversations } from "./prepare-examples.ts";
import { resolveModel } from "./resolve-model.ts";

export interface LoaderContext {
  db: Database;
  aws: Pick<AwsResources, "s3" | "bucket">;
  tenantId: string;
  cacheDir: string;
  modelCacheDir: string;
  modelCacheBytes: number;
}

/** An interleave pool dataset of the job's tenant, as conversations ending in an assistant answer. */
export async function loadPoolDataset(ctx: LoaderContext, datasetId: string): Promise<PoolItem[]> {
  const [row] = await ctx.db
    .select()
    .from(datasets)
    .where(and(eq(datasets.id, datasetId), eq(datasets.tenantId, ctx.tenantId)));
  if (!row || row.status !== "ready") {
    throw permanent(
      "pool_unavailable",
      `The interleave pool ${datasetId} is not a ready dataset of this account.`,
      undefined,
      "safeguards.interleave.pool",
    );
  }
  const file = await fetchDataset(ctx.aws, row, ctx.cacheDir);
  const conversations = await readConversations(file.path);
  return conversations
    .map((c, i) => ({ id: `line:${i + 1}`, messages: c.messages.map((m) => ({ role: m.role, content: m.content })) }))
    .filter((item) => item.messages.at(-1)?.role === "assistant");
}

/** The adapter a succeeded job of the same tenant produced (a misaligned reference, by job id). */
export async function loadJobAdapter(ctx: LoaderContext, jobId: string, decoder?: DecoderConfig): Promise<LoraAdapter> {
  const [job] = await ctx.db
    .select({ status: jobs.status })
    .from(jobs)
    .where(and(eq(jobs.id, jobId), eq(jobs.tenantId, ctx.tenantId)));
  if (!job) {
    throw permanent(
      "adapter_unavailable",
      `No adapter of a finished job ${jobId} exists in this account.`,
      undefined,
      "safeguards.interleave.misaligned_references",
    );
  }
  return downloadJobAdapter(ctx, jobId, decoder);
}

/**
 * A job's stored adapter, whichever tenant ran the job: only for adapters the service shares on purpose (a
 * reference kit's); a tenant's own references go through `loadJobAdapter`.
 */
export async function downloadJobAdapter(
  ctx: Pick<LoaderContext, "db" | "aws">,
  jobId: string,
  decoder?: DecoderConfig,
): Promise<LoraAdapter> {
  const files = await ctx.db
    .select()
    .from(artifacts)
    .where(and(eq(artifacts.jobId, jobId), eq(artifacts.kind, "adapter")));
  if (files.length === 0) {
    throw permanent(
      "adapter_unavailable",
      `No adapter of a finished job ${jobId} exists in this account.`,
      undefined,
      "safeguards.interleave.misaligned_references",
    );
  }
  const dir = await mkdtemp(path.join(tmpdir(), "guardtune-reference-"));
  try {
    for (const f of files) {
      const out = await ctx.aws.s3.send(new GetObjectCommand({ Bucket: ctx.aws.bucket, Key: f.objectKey }));
      await writeFile(path.join(dir, f.filename), await out.Body!.transformToByteArray());
    }
    return await loadPeftAdapter(dir, decoder);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Another model's weights (SafeLoRA's aligned and unaligned models), through the model registry. */
export async function loadModelWeights(ctx: LoaderContext, modelRef: string): Promise<ReadonlyMap<string, F32Tensor>> {
  const model = await resolveModel(modelRef, {
    cacheDir: ctx.modelCacheDir,
    maxBytes: ctx.modelCacheBytes,
    s3: ctx.aws.s3,
  });
  return (await loadDecoderCheckpoint(model.dir)).weights;
}
