import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "../../bench/topology/processes.ts";
import { startTopology, type Topology } from "../../bench/topology/topology.ts";
import { ApiClient } from "../../cli/commands/demo-support.ts";
import { chatFile, sha256Hex, type DatasetJson, type PutUploadJson } from "../datasets/helpers.ts";
import { TEST_MODEL_CACHE, waitFor } from "../runner/runner-fixtures.ts";

/**
 * The production topology as separate processes: `guardtune emulator`, `guardtune serve` with the runner
 * off, and a `guardtune runner`, configured only by the emulator's env file and DATABASE_URL. Every
 * process reaches the same database, which PGlite (one process's memory) cannot offer: PostgreSQL only.
 */
const baseUrl = process.env.DATABASE_URL;
if (!baseUrl) console.warn("production-topology test skipped: it needs DATABASE_URL (processes share one database)");

let topology: Topology | undefined;
let db: { url: string; drop(): Promise<void> } | undefined;
let api: ApiClient;

beforeAll(async () => {
  if (!baseUrl) return;
  db = await createDatabase(baseUrl, "gt_test_topology");
  topology = await startTopology({
    databaseUrl: db.url,
    runners: 1,
    modelCacheDir: TEST_MODEL_CACHE,
    runnerEnv: { GUARDTUNE_RUNNER_POLL_WAIT: "1s", GUARDTUNE_RUNNER_CHECKPOINT_STEPS: "4" },
    serveEnv: { GUARDTUNE_QUEUE_RELAY_POLL_INTERVAL: "250ms" },
  });
  api = new ApiClient(topology.apiUrl, topology.apiKey);
}, 180_000);
afterAll(async () => {
  await topology?.stop();
  await db?.drop();
}, 120_000);

describe.skipIf(!baseUrl)("production topology (emulator + serve + runner processes)", () => {
  it("validates an upload from the emulator's notification alone and trains a job in the runner process", async () => {
    const bytes = chatFile(16);
    const created = await api.call<{ dataset: { id: string }; upload: PutUploadJson }>("POST", "/v1/datasets", {
      filename: "train.jsonl",
      purpose: "fine-tune",
      bytes: bytes.length,
      sha256: sha256Hex(bytes),
    });
    const put = await fetch(created.upload.url, { method: "PUT", headers: created.upload.headers, body: bytes });
    expect(put.status).toBe(200);
    // No POST /complete: the emulator's ObjectCreated notification is what starts validation.
    const dataset = await waitFor(
      async () => {
        const d = await api.call<DatasetJson>("GET", `/v1/datasets/${created.dataset.id}`);
        return d.status === "ready" || d.status === "invalid" ? d : undefined;
      },
      30_000,
      "validation",
    );
    expect(dataset.status).toBe("ready");

    const job = await api.call<{ id: string }>("POST", "/v1/jobs", {
      model: "guardtune/tiny-random",
      training_dataset: created.dataset.id,
      method: {
        type: "supervised",
        hyperparameters: {
          n_epochs: 1,
          batch_size: 4,
          learning_rate: 2e-3,
          max_seq_len: 64,
          lora: { rank: 4, alpha: 8 },
        },
      },
      safeguards: [{ type: "kl", lambda: 0.1 }],
      evaluation: { broad: false, probe: false, in_domain: false },
      seed: 7,
    });
    const done = await waitFor(
      async () => {
        const j = await api.call<{ status: string; error: unknown }>("GET", `/v1/jobs/${job.id}`);
        return ["succeeded", "failed", "cancelled"].includes(j.status) ? j : undefined;
      },
      120_000,
      "the job to end",
    );
    expect(done).toMatchObject({ status: "succeeded", error: null });
    // serve runs no runner (GUARDTUNE_RUNNER=off): the adapter was trained and stored by the runner process.
    const artifacts = await api.call<{ data: Array<{ filename: string }> }>("GET", `/v1/jobs/${job.id}/artifacts`);
    expect(artifacts.data.map((a) => a.filename)).toContain("adapter_model.safetensors");
  }, 180_000);
});
