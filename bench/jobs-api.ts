/**
 * `POST /v1/jobs` throughput and latency on the embedded stack (PGlite on disk, the S3/SQS emulator, the
 * outbox relay running): every request validates the model and dataset, writes the job, two events and the
 * queue intent in one transaction. Run: `npx tsx bench/jobs-api.ts [--duration 10] [--connections 10] [--json]`.
 * With DATABASE_URL set it measures against that PostgreSQL instead.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { count, eq, isNull } from "drizzle-orm";
import { startStack } from "../cli/stack.ts";
import { loadConfig } from "../core/config/load-config.ts";
import { datasets, jobQueueOutbox, jobs, tenants } from "../core/db/schema.ts";
import { ID_PREFIX, newId } from "../core/ids.ts";

const BENCH_KEY = "gt_" + "b".repeat(40);

export interface JobsApiBenchResult {
  database: "pglite" | "postgres";
  duration_s: number;
  connections: number;
  requests_per_s: number;
  latency_ms: { p50: number; p90: number; p99: number; max: number };
  created: number;
  non_2xx: number;
  errors: number;
  /** Queue intents the relay had not yet published when the load stopped... */
  unsent_at_end: number;
  /** ...and how long it took to publish them all afterwards (null: not within 60 s). */
  relay_drain_ms: number | null;
}

export async function runJobsApiBench(opts: { durationS: number; connections: number }): Promise<JobsApiBenchResult> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "guardtune-bench-"));
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: "silent",
    GUARDTUNE_RUNNER: "off",
    GUARDTUNE_DATA_DIR: dataDir,
    GUARDTUNE_BOOTSTRAP_KEY: BENCH_KEY,
  });
  const stack = await startStack({ ...config, http: { ...config.http, port: 0 } });
  try {
    const db = stack.deps.db;
    const [dev] = await db.select().from(tenants).where(eq(tenants.name, "dev"));
    const datasetId = newId(ID_PREFIX.dataset);
    // A dataset as validation leaves it: the upload path has its own bench.
    await db.insert(datasets).values({
      id: datasetId,
      tenantId: dev.id,
      filename: "train.jsonl",
      purpose: "fine-tune",
      status: "ready",
      bytes: 1000,
      objectKey: `tenants/${dev.id}/datasets/${datasetId}/train.jsonl`,
      nExamples: 100,
    });
    const body = JSON.stringify({
      model: "guardtune/tiny-random",
      training_dataset: datasetId,
      safeguards: [{ type: "kl" }],
      metadata: { bench: "jobs-api" },
    });
    const result = await autocannon({
      url: `${stack.url}/v1/jobs`,
      method: "POST",
      headers: { authorization: `Bearer ${BENCH_KEY}`, "content-type": "application/json" },
      body,
      connections: opts.connections,
      duration: opts.durationS,
    });
    const [created] = await db.select({ n: count() }).from(jobs).where(eq(jobs.tenantId, dev.id));
    const unsentCount = async () =>
      (await db.select({ n: count() }).from(jobQueueOutbox).where(isNull(jobQueueOutbox.sentAt)))[0].n;
    const unsentAtEnd = await unsentCount();
    const drainStart = performance.now();
    let drainMs: number | null = null;
    while (performance.now() - drainStart < 60_000) {
      if ((await unsentCount()) === 0) {
        drainMs = Math.round(performance.now() - drainStart);
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return {
      database: config.database.kind,
      duration_s: opts.durationS,
      connections: opts.connections,
      requests_per_s: result.requests.average,
      latency_ms: {
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        max: result.latency.max,
      },
      created: created.n,
      non_2xx: result.non2xx,
      errors: result.errors,
      unsent_at_end: unsentAtEnd,
      relay_drain_ms: drainMs,
    };
  } finally {
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({
    options: {
      duration: { type: "string", default: "10" },
      connections: { type: "string", default: "10" },
      json: { type: "boolean", default: false },
    },
  });
  const r = await runJobsApiBench({ durationS: Number(values.duration), connections: Number(values.connections) });
  if (values.json) process.stdout.write(JSON.stringify(r) + "\n");
  else {
    process.stdout.write(
      `POST /v1/jobs on ${r.database}: ${r.requests_per_s.toFixed(1)} req/s, p50 ${r.latency_ms.p50} ms, ` +
        `p99 ${r.latency_ms.p99} ms (${r.connections} connections, ${r.duration_s} s, ${r.created} jobs, ` +
        `${r.non_2xx} non-2xx); relay: ${r.unsent_at_end} intents pending at the end, all sent ${r.relay_drain_ms} ms later\n`,
    );
  }
}
