/**
 * Finished training is never thrown away: an empty generation during evaluation is a normal answer (the
 * reported reproduction), a failure after training keeps the adapter, a retry resumes at the evaluation
 * stage, and a job whose evaluation keeps failing ends `evaluation_failed` with its adapter listed on the
 * final checkpoint (withheld when the job's gate could not be checked).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { permanent, retryable } from "../../core/errors.ts";
import { evaluateJob } from "../../gpu-runner/evals/evaluate-job.ts";
import { createPipeline } from "../../gpu-runner/pipeline/run-pipeline.ts";
import { createTestApp, type TestApp } from "../helpers/test-app.ts";
import {
  chatDatasetJsonl,
  eventTypes,
  jobRow,
  queueJob,
  seedReadyDataset,
  TEST_DATA_CACHE,
  TEST_MODEL_CACHE,
  testWorker,
} from "./runner-fixtures.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const settings = {
  cacheDir: TEST_DATA_CACHE,
  modelCacheDir: TEST_MODEL_CACHE,
  modelCacheBytes: 1e9,
  checkpointSteps: 50,
  metricsSteps: 10,
  session: { ep: "cpu" as const, intraOpThreads: 1 },
};

/** Polls until the job ends (the shared queue may hand over other tests' leftover messages first). */
async function runUntilEnded(worker: ReturnType<typeof testWorker>, jobId: string) {
  for (let i = 0; i < 6; i++) {
    await worker.pollOnce();
    const job = await jobRow(t.database.db, jobId);
    if (["succeeded", "failed", "cancelled"].includes(job.status)) return job;
  }
  return jobRow(t.database.db, jobId);
}

interface CheckpointList {
  data: Array<{
    step: number;
    adapter: null | {
      withheld: boolean;
      files: Array<{ filename: string; url: string | null; bytes: number }>;
    };
  }>;
}

describe("the reported reproduction", () => {
  it("60 chat examples, seed 290798818, random interleave, default evaluation: the job succeeds", async () => {
    const lines = Array.from({ length: 60 }, (_, i) =>
      JSON.stringify({
        messages: [
          { role: "user", content: `How do I sort a list in python? case ${i}` },
          { role: "assistant", content: `Use sorted(xs) or xs.sort(); example ${i}` },
        ],
      }),
    );
    const datasetId = await seedReadyDataset(t.database.db, t.aws, t.tenantId, `${lines.join("\n")}\n`);
    const jobId = await queueJob(t.database.db, t.aws, {
      tenantId: t.tenantId,
      datasetId,
      method: {},
      seed: 290798818,
      safeguards: [{ type: "interleave", selection: "random" }],
      evaluation: {},
    });
    const worker = testWorker(t.database.db, t.aws, {
      runJob: createPipeline({ db: t.database.db, aws: t.aws, settings }),
    });
    const job = await runUntilEnded(worker, jobId);
    expect(job.error).toBeNull();
    expect(job.status).toBe("succeeded");
    expect((job.result as { metrics: { steps: number } }).metrics.steps).toBe(45);
  }, 600_000);
});

describe("a failure after training keeps the adapter", () => {
  const small = {
    hyperparameters: { n_epochs: 1, batch_size: 2, learning_rate: 1e-3, max_seq_len: 64, lora: { rank: 4, alpha: 8 } },
  };
  const probeOnly = { broad: false, in_domain: false };

  it("a temporary failure is retried from the evaluation stage, not from scratch", async () => {
    const datasetId = await seedReadyDataset(t.database.db, t.aws, t.tenantId, chatDatasetJsonl(8));
    const jobId = await queueJob(t.database.db, t.aws, {
      tenantId: t.tenantId,
      datasetId,
      method: small,
      evaluation: probeOnly,
    });
    let calls = 0;
    const evaluate: typeof evaluateJob = async (inputs) => {
      calls++;
      if (calls === 1) throw retryable("judge_unavailable", "the judge 'house' answered HTTP 503");
      return evaluateJob(inputs);
    };
    const worker = testWorker(t.database.db, t.aws, {
      runJob: createPipeline({ db: t.database.db, aws: t.aws, settings, evaluate }),
    });
    const job = await runUntilEnded(worker, jobId);
    expect(job.error).toBeNull();
    expect(job.status).toBe("succeeded");
    expect(calls).toBe(2);
    const types = await eventTypes(t.database.db, jobId);
    // One training run only: the second attempt resumed at the evaluation stage.
    expect(types.filter((x) => x === "metrics").length).toBe(2);
    const resumed = await t.request(`/v1/jobs/${jobId}/events?limit=100`);
    const events = ((await resumed.json()) as { data: Array<{ type: string; message: string }> }).data;
    expect(events.some((e) => e.message.includes("resuming at the evaluation stage"))).toBe(true);
  }, 300_000);

  it.each([
    ["ungated", probeOnly, false],
    // a judge is named, so the gate is on by default: it could not be checked, the adapter is withheld
    [
      "gated",
      { broad: { questions: ["Any ideas?"], samples_per_question: 1, judge: "house" }, in_domain: false },
      true,
    ],
  ])(
    "a lasting failure (%s) ends evaluation_failed with the adapter on the final checkpoint",
    async (_what, evaluation, withheld) => {
      const datasetId = await seedReadyDataset(t.database.db, t.aws, t.tenantId, chatDatasetJsonl(8));
      const jobId = await queueJob(t.database.db, t.aws, {
        tenantId: t.tenantId,
        datasetId,
        method: small,
        evaluation,
      });
      const evaluate: typeof evaluateJob = async () => {
        throw permanent("judge_failed", "the judge 'house' answered HTTP 401", undefined, "evaluation.broad.judge");
      };
      const worker = testWorker(t.database.db, t.aws, {
        runJob: createPipeline({ db: t.database.db, aws: t.aws, settings, evaluate }),
      });
      const job = await runUntilEnded(worker, jobId);
      expect(job.status).toBe("failed");
      expect(job.error).toMatchObject({ code: "evaluation_failed", param: "evaluation.broad.judge" });
      expect(job.error!.message).toContain("the judge 'house' answered HTTP 401");
      const res = await t.request(`/v1/jobs/${jobId}/checkpoints`);
      expect(res.status).toBe(200);
      const [final] = ((await res.json()) as CheckpointList).data;
      expect(final.step).toBe(4);
      expect(final.adapter).not.toBeNull();
      expect(final.adapter!.withheld).toBe(withheld);
      expect(final.adapter!.files.map((f) => f.filename).sort()).toEqual([
        "adapter_config.json",
        "adapter_model.safetensors",
      ]);
      for (const f of final.adapter!.files) {
        if (withheld) expect(f.url).toBeNull();
        else {
          const download = await fetch(f.url!);
          expect(download.status).toBe(200);
          expect((await download.arrayBuffer()).byteLength).toBe(f.bytes);
        }
      }
    },
    300_000,
  );
});
