/** Creating jobs: defaults, accepted references, idempotency, listing (refusals: job-validation-api.test.ts). */
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { idempotencyKeys, jobQueueOutbox, webhookEndpoints } from "../../core/db/schema.ts";
import { ID_PREFIX, newId } from "../../core/ids.ts";
import { LORA_TARGET_MODULES } from "../../core/jobs/job-config.ts";
import { insertDataset, insertJob } from "../../test/jobs/job-fixtures.ts";
import { useJobsTestApp, type JobBody, type Problem } from "../../test/jobs/jobs-test-app.ts";

const h = useJobsTestApp({ GUARDTUNE_MODEL_SOURCES: "s3://guardtune/models/" });

describe("POST /v1/jobs", () => {
  it("queues a job with every default filled in, its events and exactly one queue intent", async () => {
    const res = await h.createJob({ metadata: { team: "a" } });
    expect(res.status).toBe(201);
    const job = (await res.json()) as JobBody;
    expect(job.status).toBe("queued");
    expect(job.method).toEqual({
      type: "supervised",
      hyperparameters: {
        n_epochs: 3,
        batch_size: 4,
        learning_rate: 2e-4,
        max_seq_len: 512,
        warmup_steps: 0,
        lora: { rank: 8, alpha: 16, dropout: 0, target_modules: [...LORA_TARGET_MODULES], rslora: false },
      },
    });
    expect(job.safeguards).toEqual([{ type: "none" }]);
    expect(Number.isInteger(job.seed)).toBe(true);
    const outbox = await h.t.database.db.select().from(jobQueueOutbox).where(eq(jobQueueOutbox.jobId, job.id));
    expect(outbox.map((o) => o.body)).toEqual([{ job_id: job.id, attempt: 1 }]);
    const events = (await (await h.t.request(`/v1/jobs/${job.id}/events`)).json()) as {
      data: Array<{ type: string; seq: number }>;
    };
    expect(events.data.map((e) => [e.seq, e.type])).toEqual([
      [1, "job.created"],
      [2, "job.queued"],
    ]);
  });

  it("stores safeguards with their defaults", async () => {
    const res = await h.createJob({ safeguards: [{ type: "kl" }, { type: "inoculation" }], seed: 11 });
    expect(res.status).toBe(201);
    const job = (await res.json()) as JobBody;
    expect(job.safeguards[0]).toEqual({ type: "kl", lambda: 0.1, direction: "theta_ref", positions: "all_non_pad" });
    expect(job.safeguards[1].type).toBe("inoculation");
    expect(job.seed).toBe(11);
  });

  it("accepts an s3:// model directory and the tenant's own succeeded adapter", async () => {
    await h.t.aws.s3.send(new PutObjectCommand({ Bucket: h.t.aws.bucket, Key: "models/tiny/config.json", Body: "{}" }));
    const reference = await insertJob(h.t.database.db, h.t.tenantId, h.ready, "succeeded", {
      fineTunedModel: "ft:tiny:ref",
    });
    const res = await h.createJob({
      model: `s3://${h.t.aws.bucket}/models/tiny`,
      safeguards: [{ type: "interleave", misaligned_references: [reference.id, "ft:tiny:ref"] }],
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { model: string }).model).toBe(`s3://${h.t.aws.bucket}/models/tiny/`);
  });

  it("accepts the tenant's own webhook endpoint", async () => {
    const endpointId = newId(ID_PREFIX.webhookEndpoint);
    await h.t.database.db.insert(webhookEndpoints).values({
      id: endpointId,
      tenantId: h.t.tenantId,
      url: "https://example.com/hook",
      events: ["fine_tuning.job.succeeded"],
      secret: "whsec_" + Buffer.alloc(32).toString("base64"),
    });
    const res = await h.createJob({ webhook: { endpoint_id: endpointId } });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { webhook: unknown }).webhook).toEqual({ endpoint_id: endpointId });
    const other = await h.t.request("/v1/jobs", {
      method: "POST",
      key: h.t.otherApiKey,
      json: {
        model: "guardtune/tiny-random",
        training_dataset: await insertDataset(h.t.database.db, h.t.otherTenantId),
        webhook: { endpoint_id: endpointId },
      },
    });
    expect(((await other.json()) as Problem).param).toBe("webhook.endpoint_id");
  });
});

describe("Idempotency-Key", () => {
  it("replays the same response for the same key and body, and refuses a different body with 409", async () => {
    const key = `k-${Date.now()}`;
    const first = await h.createJob({ seed: 1 }, { "idempotency-key": key });
    const second = await h.createJob({ seed: 1 }, { "idempotency-key": key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    const a = (await first.json()) as JobBody;
    expect(await second.json()).toEqual(a);
    const changed = await h.createJob({ seed: 2 }, { "idempotency-key": key });
    expect(changed.status).toBe(409);
    expect(((await changed.json()) as Problem).code).toBe("idempotency_key_reused");
    // Keys are per tenant: the other tenant's identical key is unrelated.
    const otherDataset = await insertDataset(h.t.database.db, h.t.otherTenantId);
    const other = await h.t.request("/v1/jobs", {
      method: "POST",
      key: h.t.otherApiKey,
      headers: { "idempotency-key": key },
      json: { model: "guardtune/tiny-random", training_dataset: otherDataset, seed: 1 },
    });
    expect(other.status).toBe(201);
  });

  it("creates one job for concurrent identical requests", async () => {
    const key = `race-${Date.now()}`;
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => h.createJob({ seed: 3 }, { "idempotency-key": key })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(6).fill(201));
    const ids = new Set(await Promise.all(responses.map(async (r) => ((await r.json()) as JobBody).id)));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect(await h.t.database.db.select().from(jobQueueOutbox).where(eq(jobQueueOutbox.jobId, id))).toHaveLength(1);
  });

  it("forgets a key after its TTL: the request then runs afresh", async () => {
    const key = `old-${Date.now()}`;
    const first = (await (await h.createJob({ seed: 4 }, { "idempotency-key": key })).json()) as JobBody;
    await h.t.database.db
      .update(idempotencyKeys)
      .set({ createdAt: new Date(Date.now() - h.t.config.queue.idempotencyTtlMs - 1000) })
      .where(eq(idempotencyKeys.key, key));
    const again = await h.createJob({ seed: 4 }, { "idempotency-key": key });
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBeNull();
    expect(((await again.json()) as JobBody).id).not.toBe(first.id);
  });

  it("stores nothing for a request that failed validation", async () => {
    const key = `fix-${Date.now()}`;
    expect((await h.createJob({ model: "nope" }, { "idempotency-key": key })).status).toBe(422);
    expect((await h.createJob({}, { "idempotency-key": key })).status).toBe(201);
  });
});

describe("GET /v1/jobs", () => {
  it("pages newest first and filters by status and metadata", async () => {
    const tag = `run-${Date.now()}`;
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await h.createJob({ metadata: { batch: tag, parity: i % 2 === 0 ? "even" : "odd" } });
      created.push(((await res.json()) as JobBody).id);
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const qs: string = `limit=2&metadata[batch]=${tag}` + (after ? `&after=${after}` : "");
      const body = (await (await h.t.request(`/v1/jobs?${qs}`)).json()) as {
        object: string;
        data: JobBody[];
        has_more: boolean;
        next_cursor: string | null;
      };
      expect(body.object).toBe("list");
      seen.push(...body.data.map((j) => j.id));
      after = body.next_cursor;
      if (!body.has_more) break;
    }
    expect(seen).toEqual([...created].reverse());
    const odd = (await (await h.t.request(`/v1/jobs?metadata[batch]=${tag}&metadata[parity]=odd`)).json()) as {
      data: JobBody[];
    };
    expect(odd.data.map((j) => j.id)).toEqual([created[3], created[1]]);

    await h.t.request(`/v1/jobs/${created[0]}/cancel`, { method: "POST" });
    const cancelled = (await (await h.t.request(`/v1/jobs?metadata[batch]=${tag}&status=cancelled`)).json()) as {
      data: JobBody[];
    };
    expect(cancelled.data.map((j) => j.id)).toEqual([created[0]]);
    const bad = await h.t.request("/v1/jobs?status=sleeping");
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as Problem).param).toBe("status.0");
  });
});
