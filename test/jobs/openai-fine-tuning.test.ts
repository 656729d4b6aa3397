import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { eq } from "drizzle-orm";
import OpenAI, { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkpoints, jobs } from "../../core/db/schema.ts";
import { ID_PREFIX, newId } from "../../core/ids.ts";
import { appendJobEvent } from "../../core/jobs/job-events.ts";
import { transitionJob } from "../../core/jobs/state-machine.ts";
import { startUploadsConsumer, type UploadsConsumer } from "../../functions/datasets/uploads-consumer.ts";
import { chatFile } from "../datasets/helpers.ts";
import { createTestApp, type TestApp } from "../helpers/test-app.ts";
import { insertDataset } from "./job-fixtures.ts";

/** Unchanged client code against guardtune: only `baseURL` and `apiKey` are set. */
let t: TestApp;
let consumer: UploadsConsumer;
let server: ServerType;
let client: OpenAI;
let other: OpenAI;

beforeAll(async () => {
  t = await createTestApp();
  consumer = startUploadsConsumer(t.deps, { waitSeconds: 1 });
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: t.app.fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(s));
  });
  const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  client = new OpenAI({ baseURL, apiKey: t.apiKey, maxRetries: 0 });
  other = new OpenAI({ baseURL, apiKey: t.otherApiKey, maxRetries: 0 });
});
afterAll(async () => {
  if (server && "closeAllConnections" in server) server.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await consumer?.close();
  await t?.close();
});

describe("OpenAI fine-tuning API with the official SDK", () => {
  it("uploads a file, creates a guarded job, retrieves it, pages through its events and cancels it", async () => {
    const file = await client.files.create({ file: await toFile(chatFile(12), "train.jsonl"), purpose: "fine-tune" });
    expect(file.status).toBe("processed");

    const params: OpenAI.FineTuning.JobCreateParams = {
      model: "guardtune/tiny-random",
      training_file: file.id,
      method: {
        type: "supervised",
        supervised: { hyperparameters: { n_epochs: 2, learning_rate_multiplier: 0.5, batch_size: "auto" } },
      },
      suffix: "support-bot",
      metadata: { team: "support" },
    };
    // guardtune's safeguards travel as an extra body field, the SDK's documented way for extra arguments.
    const job = await client.fineTuning.jobs.create(params, {
      body: { ...params, safeguards: [{ type: "kl", lambda: 0.2 }, { type: "inoculation" }] },
    });
    expect(job).toMatchObject({
      object: "fine_tuning.job",
      status: "queued",
      model: "guardtune/tiny-random",
      training_file: file.id,
      validation_file: null,
      hyperparameters: { n_epochs: 2, batch_size: 4, learning_rate_multiplier: 0.5 },
      method: {
        type: "supervised",
        supervised: { hyperparameters: { n_epochs: 2, batch_size: 4, learning_rate_multiplier: 0.5 } },
      },
      metadata: { team: "support" },
      trained_tokens: null,
      fine_tuned_model: null,
      error: null,
      result_files: [],
      organization_id: t.tenantId,
    });
    const [row] = await t.database.db.select().from(jobs).where(eq(jobs.id, job.id));
    expect(row.config.method.hyperparameters.learning_rate).toBeCloseTo(1e-4, 12);
    expect(row.config.safeguards.map((s) => s.type)).toEqual(["kl", "inoculation"]);
    expect(row.config.suffix).toBe("support-bot");

    const retrieved = await client.fineTuning.jobs.retrieve(job.id);
    expect(retrieved.id).toBe(job.id);
    expect(
      (retrieved as unknown as { safeguards: Array<{ type: string; lambda?: number }> }).safeguards[0],
    ).toMatchObject({ type: "kl", lambda: 0.2 });

    // The runner's side, as it will look: the job starts, reports metrics, then the user cancels.
    await transitionJob(t.database.db, job.id, {
      from: "queued",
      to: "running",
      event: { type: "job.started", message: "Training started." },
    });
    for (let step = 1; step <= 5; step++) {
      await appendJobEvent(t.database.db, job.id, {
        type: "metrics",
        step,
        message: `step ${step}`,
        data: { loss: 2 / step },
      });
    }
    const firstPage = await client.fineTuning.jobs.listEvents(job.id, { limit: 3 });
    expect(firstPage.data).toHaveLength(3);
    expect(firstPage.hasNextPage()).toBe(true);
    expect(firstPage.data[0]).toMatchObject({
      object: "fine_tuning.job.event",
      type: "metrics",
      message: "step 5",
      level: "info",
    });
    const all: OpenAI.FineTuning.Jobs.FineTuningJobEvent[] = [];
    for await (const e of client.fineTuning.jobs.listEvents(job.id, { limit: 2 })) all.push(e);
    expect(all.map((e) => e.message)).toEqual([
      "step 5",
      "step 4",
      "step 3",
      "step 2",
      "step 1",
      "Training started.",
      "Files validated; job queued.",
      "Created fine-tuning job for guardtune/tiny-random.",
    ]);
    expect(new Set(all.map((e) => e.id)).size).toBe(8);

    await t.database.db.insert(checkpoints).values(
      [2, 4].map((step) => ({
        id: newId(ID_PREFIX.checkpoint),
        jobId: job.id,
        step,
        objectPrefix: `ck/${step}/`,
        metrics: { loss: 1 / step },
        complete: 1,
      })),
    );
    const ckpts = await client.fineTuning.jobs.checkpoints.list(job.id);
    expect(ckpts.data.map((c) => [c.step_number, c.metrics.train_loss])).toEqual([
      [4, 0.25],
      [2, 0.5],
    ]);
    expect(ckpts.data[0].fine_tuning_job_id).toBe(job.id);

    const cancelling = await client.fineTuning.jobs.cancel(job.id);
    expect(cancelling.status).toBe("running"); // `cancelling` until the runner stops at its next step
    const [after] = await t.database.db.select().from(jobs).where(eq(jobs.id, job.id));
    expect(after.status).toBe("cancelling");
    await transitionJob(t.database.db, job.id, {
      from: "cancelling",
      to: "cancelled",
      event: { type: "job.cancelled" },
    });
    expect((await client.fineTuning.jobs.retrieve(job.id)).status).toBe("cancelled");
  });

  it("lists jobs with cursor pagination and metadata filters, and cancels a queued job at once", async () => {
    const training = await insertDataset(t.database.db, t.tenantId);
    const tag = `batch-${Date.now()}`;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        (
          await client.fineTuning.jobs.create({
            model: "guardtune/tiny-random",
            training_file: training,
            metadata: { tag },
          })
        ).id,
      );
    }
    const seen: string[] = [];
    for await (const j of client.fineTuning.jobs.list({ limit: 2, metadata: { tag } })) seen.push(j.id);
    expect(seen).toEqual([...ids].reverse());
    const cancelled = await client.fineTuning.jobs.cancel(ids[0]);
    expect(cancelled.status).toBe("cancelled");
  });

  it("reports errors the SDK understands, naming the parameter", async () => {
    const training = await insertDataset(t.database.db, t.tenantId);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ model: "gpt-4o-mini-2024-07-18", training_file: training }, "model"],
      [{ model: "guardtune/tiny-random", training_file: "file_00000000000000000000000000" }, "training_file"],
      [{ model: "guardtune/tiny-random", training_file: training, method: { type: "dpo" } }, "method.type"],
      [
        { model: "guardtune/tiny-random", training_file: training, hyperparameters: { n_epochs: 0 } },
        "hyperparameters.n_epochs",
      ],
      [
        { model: "guardtune/tiny-random", training_file: training, safeguards: [{ type: "ldifs", lambda: "big" }] },
        "safeguards.0.lambda",
      ],
    ];
    for (const [body, param] of cases) {
      const err = await client.fineTuning.jobs
        .create(body as unknown as OpenAI.FineTuning.JobCreateParams)
        .catch((e: unknown) => e);
      expect(err, param).toBeInstanceOf(OpenAI.UnprocessableEntityError);
      expect((err as InstanceType<typeof OpenAI.APIError>).param, JSON.stringify(body)).toBe(param);
    }
  });

  it("hides other tenants' jobs on every route", async () => {
    const training = await insertDataset(t.database.db, t.tenantId);
    const job = await client.fineTuning.jobs.create({ model: "guardtune/tiny-random", training_file: training });
    await expect(other.fineTuning.jobs.retrieve(job.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(other.fineTuning.jobs.cancel(job.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(other.fineTuning.jobs.listEvents(job.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(other.fineTuning.jobs.checkpoints.list(job.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const listed = await other.fineTuning.jobs.list({ limit: 100 });
    expect(listed.data.map((j) => j.id)).not.toContain(job.id);
    await expect(
      other.fineTuning.jobs.create({ model: "guardtune/tiny-random", training_file: training }),
    ).rejects.toMatchObject({ status: 422, param: "training_file" });
    expect((await client.fineTuning.jobs.retrieve(job.id)).status).toBe("queued");
  });
});
