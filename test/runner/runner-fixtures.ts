import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { eq } from "drizzle-orm";
import type { Database } from "../../core/db/database.ts";
import { checkpoints, datasets, jobEvents, jobs, type Job } from "../../core/db/schema.ts";
import { ID_PREFIX, newId } from "../../core/ids.ts";
import { buildJobConfig, type MethodInput } from "../../core/jobs/job-config.ts";
import type { EmbeddedAws } from "../../core/aws/embedded-aws.ts";
import { createLogger } from "../../core/log/logger.ts";
import { sendJobMessage } from "../../core/queue/job-message.ts";
import { createPipeline, type PipelineDeps } from "../../gpu-runner/pipeline/run-pipeline.ts";
import type { JobRunner } from "../../gpu-runner/worker/job-run.ts";
import { Worker, type WorkerSettings } from "../../gpu-runner/worker/worker.ts";
import { sqsQueue } from "../../core/queue/sqs-queue.ts";

/** One model cache for all runner tests: the tiny model is generated once per machine. */
export const TEST_MODEL_CACHE = path.join(tmpdir(), "guardtune-test-models");
/** One dataset cache too: it is keyed by content hash and written by atomic renames, so tests can share it. */
export const TEST_DATA_CACHE = path.join(tmpdir(), "guardtune-test-cache");

const TOPICS = [
  "tea",
  "rivers",
  "bicycles",
  "maps",
  "bread",
  "owls",
  "clocks",
  "gardens",
  "trains",
  "kites",
  "salt",
  "glass",
];

/** A small chat dataset in the OpenAI fine-tuning format (deterministic). */
export function chatDatasetJsonl(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const topic = TOPICS[i % TOPICS.length];
    lines.push(
      JSON.stringify({
        messages: [
          { role: "system", content: "You are a helpful assistant." },
          { role: "user", content: `Tell me one fact about ${topic} (${i}).` },
          {
            role: "assistant",
            content: `Here is a fact about ${topic}: it is interesting in its own way, number ${i}.`,
          },
        ],
      }),
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Stores a dataset object and a `ready` row, as the datasets API leaves it after validation. */
export async function seedReadyDataset(
  db: Database,
  aws: EmbeddedAws,
  tenantId: string,
  jsonl: string,
): Promise<string> {
  const id = newId(ID_PREFIX.dataset);
  const body = Buffer.from(jsonl);
  const sha = createHash("sha256").update(body).digest("hex");
  const objectKey = `tenants/${tenantId}/datasets/${id}/train.jsonl`;
  await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: objectKey, Body: body }));
  await db.insert(datasets).values({
    id,
    tenantId,
    filename: "train.jsonl",
    purpose: "fine-tune",
    status: "ready",
    bytes: body.length,
    sha256: sha,
    contentSha256: sha,
    objectKey,
    nExamples: jsonl.trim().split("\n").length,
  });
  return id;
}

export const SMALL_METHOD: MethodInput = {
  hyperparameters: { n_epochs: 1, batch_size: 2, learning_rate: 1e-3, max_seq_len: 64, lora: { rank: 4, alpha: 8 } },
};

/** Runner tests measure the runner, not the evaluations (they have their own tests). */
export const NO_EVALUATION = { broad: false, probe: false, in_domain: false };

/** A `queued` job row and its queue message (what the jobs API and its outbox relay produce). */
export async function queueJob(
  db: Database,
  aws: EmbeddedAws,
  opts: {
    tenantId: string;
    datasetId: string;
    method?: MethodInput;
    safeguards?: unknown;
    evaluation?: unknown;
    model?: string;
    seed?: number;
    send?: boolean;
  },
): Promise<string> {
  const id = newId(ID_PREFIX.job);
  const config = buildJobConfig({
    method: opts.method ?? SMALL_METHOD,
    safeguards: opts.safeguards ?? [{ type: "kl" }],
    seed: opts.seed ?? 7,
    evaluation: opts.evaluation ?? NO_EVALUATION,
  });
  await db.insert(jobs).values({
    id,
    tenantId: opts.tenantId,
    status: "queued",
    model: opts.model ?? "guardtune/tiny-random",
    trainingDatasetId: opts.datasetId,
    config,
    queuedAt: new Date(),
  });
  if (opts.send !== false) await sendJobMessage(aws, { job_id: id, attempt: 1 });
  return id;
}

export function testPipeline(
  db: Database,
  aws: EmbeddedAws,
  overrides: Partial<PipelineDeps["settings"]> = {},
): JobRunner {
  return createPipeline({
    db,
    aws,
    settings: {
      cacheDir: TEST_DATA_CACHE,
      modelCacheDir: TEST_MODEL_CACHE,
      modelCacheBytes: 1e9,
      checkpointSteps: 2,
      metricsSteps: 1,
      session: { ep: "cpu", intraOpThreads: 1 },
      ...overrides,
    },
  });
}

export function testWorker(
  db: Database,
  aws: EmbeddedAws,
  opts: { workerId?: string; runJob?: JobRunner; settings?: Partial<WorkerSettings>; queueUrl?: string } = {},
): Worker {
  return new Worker({
    db,
    queue: sqsQueue(aws.sqs, opts.queueUrl ?? aws.jobsQueueUrl),
    logger: createLogger(process.env.LOG_LEVEL ?? "silent"),
    runJob: opts.runJob ?? testPipeline(db, aws),
    settings: {
      workerId: opts.workerId ?? `test-${newId("w")}`,
      leaseMs: 6000,
      pollWaitMs: 0,
      maxVisibilityMs: 43_000_000,
      cancelPollMs: 200,
      retryBaseMs: 0,
      ...opts.settings,
    },
  });
}

export async function jobRow(db: Database, id: string): Promise<Job> {
  const [row] = await db.select().from(jobs).where(eq(jobs.id, id));
  return row;
}

export async function eventTypes(db: Database, id: string): Promise<string[]> {
  const rows = await db
    .select({ type: jobEvents.type, seq: jobEvents.seq })
    .from(jobEvents)
    .where(eq(jobEvents.jobId, id));
  return rows.sort((a, b) => a.seq - b.seq).map((r) => r.type);
}

export async function checkpointSteps(db: Database, id: string): Promise<number[]> {
  const rows = await db
    .select({ step: checkpoints.step, complete: checkpoints.complete })
    .from(checkpoints)
    .where(eq(checkpoints.jobId, id));
  return rows
    .filter((r) => r.complete === 1)
    .map((r) => r.step)
    .sort((a, b) => a - b);
}

/** Polls until `check` returns a value (not undefined) or the timeout passes. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
