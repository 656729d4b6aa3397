import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemoReferenceKit, uploadDataset } from "../../cli/commands/demo-reference-kit.ts";
import { ApiClient, demoDatasetJsonl } from "../../cli/commands/demo-support.ts";
import { startStack, type Stack } from "../../cli/stack.ts";
import { createApiKey } from "../../core/auth/api-keys.ts";
import { testConfig } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db.ts";
import { TEST_MODEL_CACHE, waitFor } from "../runner/runner-fixtures.ts";

/**
 * Interleaving++ through the whole service: an operator builds a reference kit (the demo's), a tenant's job
 * scores the pool against it; a job of the kit's own domain falls back to the forgetting gap and is warned.
 */
let stack: Stack;
let testDb: TestDatabase | undefined;
let api: ApiClient;
const dataDir = mkdtempSync(path.join(tmpdir(), "guardtune-e2e-kit-"));

beforeAll(async () => {
  const base = testConfig({
    GUARDTUNE_RUNNER: "embedded",
    GUARDTUNE_RUNNER_POLL_WAIT: "1s",
    GUARDTUNE_THREADS: "1",
    GUARDTUNE_DATA_DIR: dataDir,
    GUARDTUNE_MODEL_CACHE_DIR: TEST_MODEL_CACHE,
  });
  if (process.env.DATABASE_URL) testDb = await createTestDatabase();
  const config = {
    ...base,
    database: testDb ? { kind: "postgres" as const, url: testDb.url, poolSize: 5 } : base.database,
  };
  stack = await startStack(config);
  api = new ApiClient(stack.url, (await createApiKey(stack.deps.db, { tenant: "tenant" })).key);
});
afterAll(async () => {
  await stack?.close();
  await testDb?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Job {
  id: string;
  status: string;
  error: unknown;
  result: { safeguards: { interleave: { misaligned_references: Record<string, unknown> } } } | null;
}
interface JobEvent {
  type: string;
  level: string;
  message: string;
  data: Record<string, unknown>;
}

async function runJob(dataset: string, heldOutDomain: string): Promise<{ job: Job; events: JobEvent[] }> {
  const created = await api.call<Job>("POST", "/v1/jobs", {
    model: "guardtune/tiny-random",
    training_dataset: dataset,
    method: { type: "supervised", hyperparameters: { n_epochs: 1, batch_size: 4, max_seq_len: 160 } },
    safeguards: [
      { type: "interleave", selection: "perplexity_gap_filtered", held_out_domain: heldOutDomain, reference_steps: 1 },
    ],
    evaluation: { broad: false, probe: false, in_domain: false },
    seed: 4,
  });
  const job = await waitFor(
    async () => {
      const j = await api.call<Job>("GET", `/v1/jobs/${created.id}`);
      return ["succeeded", "failed", "cancelled"].includes(j.status) ? j : undefined;
    },
    120_000,
    "the job to end",
  );
  const events = await api.call<{ data: JobEvent[] }>("GET", `/v1/jobs/${created.id}/events?limit=100`);
  return { job, events: events.data };
}

describe("reference kits end to end", () => {
  it("an operator's kit is what a tenant's perplexity-gap selection scores with, the job's domain left out", async () => {
    await buildDemoReferenceKit(stack.deps.db, stack.url, () => undefined);
    const { id: dataset } = await uploadDataset(api, "train.jsonl", demoDatasetJsonl(16));

    const withKit = await runJob(dataset, "code");
    expect(withKit.job.error).toBeNull();
    expect(withKit.job.status).toBe("succeeded");
    const used = withKit.events.find((e) => e.type === "safeguards.references");
    expect(used?.data).toMatchObject({ kit: "demo-harmful-advice", domains: ["harmful-advice"], left_out: [] });
    expect(withKit.events.filter((e) => e.level === "warn")).toEqual([]); // no truncation, no fallback
    expect(withKit.job.result?.safeguards.interleave.misaligned_references).toMatchObject({ source: "kit" });

    const ownDomain = await runJob(dataset, "harmful-advice");
    expect(ownDomain.job.status).toBe("succeeded");
    const warning = ownDomain.events.find((e) => e.type === "safeguards.warning");
    expect(warning?.level).toBe("warn");
    expect(warning?.message).toContain("has no adapter outside the held-out domain 'harmful-advice'");
    expect(ownDomain.job.result?.safeguards.interleave.misaligned_references).toMatchObject({
      source: "forgetting_gap",
    });
  });
});
