import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, demoDatasetJsonl } from "../../cli/commands/demo-support.ts";
import { startStack, type Stack } from "../../cli/stack.ts";
import { createApiKey } from "../../core/auth/api-keys.ts";
import { testConfig } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db.ts";
import { TEST_MODEL_CACHE, waitFor } from "../runner/runner-fixtures.ts";

/** The whole product as a client sees it: presigned upload → job → runner → artifacts through the API. */
let stack: Stack;
let testDb: TestDatabase | undefined;
let api: ApiClient;
const dataDir = mkdtempSync(path.join(tmpdir(), "guardtune-e2e-"));

beforeAll(async () => {
  const base = testConfig({
    GUARDTUNE_RUNNER: "embedded",
    GUARDTUNE_RUNNER_POLL_WAIT: "1s",
    GUARDTUNE_RUNNER_METRICS_STEPS: "1",
    GUARDTUNE_RUNNER_CHECKPOINT_STEPS: "4",
    GUARDTUNE_THREADS: "1",
    GUARDTUNE_DATA_DIR: dataDir,
    GUARDTUNE_MODEL_CACHE_DIR: TEST_MODEL_CACHE,
  });
  // On the PostgreSQL run the stack uses a fresh database of that server.
  if (process.env.DATABASE_URL) testDb = await createTestDatabase();
  const config = {
    ...base,
    database: testDb ? { kind: "postgres" as const, url: testDb.url, poolSize: 5 } : base.database,
  };
  stack = await startStack(config);
  const { key } = await createApiKey(stack.deps.db, { tenant: "e2e" });
  api = new ApiClient(stack.url, key);
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
  trained_tokens: number;
  result: { metrics: { steps: number } } | null;
}
interface Page<T> {
  data: T[];
}

describe("embedded stack", () => {
  it("uploads through the presigned URL, trains a guarded job, and serves its artifacts", async () => {
    const bytes = Buffer.from(demoDatasetJsonl(16));
    const created = await api.call<{
      dataset: { id: string };
      upload: { url: string; headers: Record<string, string> };
    }>("POST", "/v1/datasets", {
      filename: "train.jsonl",
      purpose: "fine-tune",
      bytes: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    });
    expect((await fetch(created.upload.url, { method: "PUT", headers: created.upload.headers, body: bytes })).ok).toBe(
      true,
    );
    await api.call("POST", `/v1/datasets/${created.dataset.id}/complete`, {});
    await waitFor(
      async () => {
        const d = await api.call<{ status: string }>("GET", `/v1/datasets/${created.dataset.id}`);
        return d.status === "ready" || d.status === "invalid" ? d.status : undefined;
      },
      20_000,
      "validation",
    );

    const posted = performance.now();
    const job = await api.call<Job>("POST", "/v1/jobs", {
      model: "guardtune/tiny-random",
      training_dataset: created.dataset.id,
      method: {
        type: "supervised",
        hyperparameters: {
          n_epochs: 2,
          batch_size: 4,
          learning_rate: 2e-3,
          max_seq_len: 160,
          lora: { rank: 4, alpha: 8 },
        },
      },
      safeguards: [{ type: "kl", lambda: 0.1 }],
      // a short broad evaluation: this test is about the stack, not the evaluation's statistics
      evaluation: { broad: { samples_per_question: 1, max_tokens: 16 } },
      seed: 3,
    });
    let firstStepMs: number | undefined;
    const done = await waitFor(
      async () => {
        if (firstStepMs === undefined) {
          const events = await api.call<Page<{ type: string }>>("GET", `/v1/jobs/${job.id}/events?limit=100`);
          if (events.data.some((e) => e.type === "metrics")) firstStepMs = performance.now() - posted;
        }
        const j = await api.call<Job>("GET", `/v1/jobs/${job.id}`);
        return ["succeeded", "failed", "cancelled"].includes(j.status) ? j : undefined;
      },
      90_000,
      "the job to end",
    );
    console.log(
      `POST /v1/jobs → first training step: ${Math.round(firstStepMs ?? Number.NaN)} ms; → succeeded: ${Math.round(performance.now() - posted)} ms`,
    );
    expect(done.error).toBeNull();
    expect(done.status).toBe("succeeded");
    expect(done.result?.metrics.steps).toBe(8);
    expect(done.trained_tokens).toBeGreaterThan(0);

    const checkpoints = await api.call<Page<{ step: number }>>("GET", `/v1/jobs/${job.id}/checkpoints`);
    expect(checkpoints.data.map((c) => c.step)).toEqual([8, 4]);
    const artifacts = await api.call<Page<{ filename: string; bytes: number; sha256: string; url: string }>>(
      "GET",
      `/v1/jobs/${job.id}/artifacts`,
    );
    expect(artifacts.data.map((a) => a.filename).sort()).toEqual([
      "adapter_config.json",
      "adapter_model.safetensors",
      "evaluation.json",
      "metrics.json",
    ]);
    for (const a of artifacts.data) {
      const body = Buffer.from(await (await fetch(a.url)).arrayBuffer());
      expect(body.length).toBe(a.bytes);
      expect(createHash("sha256").update(body).digest("hex")).toBe(a.sha256);
    }
    const config = JSON.parse(
      Buffer.from(
        await (await fetch(artifacts.data.find((a) => a.filename === "adapter_config.json")!.url)).arrayBuffer(),
      ).toString(),
    );
    expect(config).toMatchObject({ peft_type: "LORA", r: 4, lora_alpha: 8 });
  });
});
