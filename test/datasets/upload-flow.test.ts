import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { and, asc, eq, ne, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetEvents, datasets, jobs, tenants, uploadReceipts, webhookEvents } from "../../core/db/schema.ts";
import { IllegalDatasetTransitionError, transitionDataset } from "../../functions/datasets/dataset-transitions.ts";
import { objectCreatedNotification } from "../../core/aws/upload-notification.ts";
import { createDataset } from "../../functions/datasets/create-dataset.ts";
import { abandonUpload, processObjectCreated } from "../../functions/datasets/process-upload.ts";
import { startUploadsConsumer, type UploadsConsumer } from "../../functions/datasets/uploads-consumer.ts";
import { createTestApp, type TestApp } from "../helpers/test-app.ts";
import {
  chatFile,
  putParts,
  putPresigned,
  sha256Hex,
  waitForSettled,
  type DatasetJson,
  type MultipartUploadJson,
  type PutUploadJson,
} from "./helpers.ts";

const MULTIPART_THRESHOLD = 2 * 1024 * 1024;
let t: TestApp;
let consumer: UploadsConsumer;

beforeAll(async () => {
  t = await createTestApp({
    GUARDTUNE_MULTIPART_THRESHOLD_BYTES: String(MULTIPART_THRESHOLD),
    GUARDTUNE_MAX_UPLOAD_BYTES: String(32 * 1024 * 1024),
  });
  consumer = startUploadsConsumer(t.deps, { waitSeconds: 1 });
});
afterAll(async () => {
  await consumer?.close();
  await t?.close();
});

const get = (id: string, key?: string) => async () =>
  (await (await t.request(`/v1/datasets/${id}`, { key })).json()) as DatasetJson;

async function create(body: Record<string, unknown>, key?: string) {
  const res = await t.request("/v1/datasets", { method: "POST", json: { purpose: "fine-tune", ...body }, key });
  return { res, json: (await res.json()) as { dataset: DatasetJson; upload: PutUploadJson | MultipartUploadJson } };
}

/** Create → PUT → complete → wait; returns the settled dataset. */
async function uploadPut(file: Uint8Array, declare: { bytes?: number; sha256?: string; filename?: string } = {}) {
  const honest = declare.bytes === undefined || declare.bytes === file.length;
  const { res, json } = await create({
    filename: declare.filename ?? "train.jsonl",
    bytes: declare.bytes ?? file.length,
    sha256: declare.sha256,
  });
  expect(res.status).toBe(201);
  expect(json.upload.method).toBe("PUT");
  await putPresigned(json.upload as PutUploadJson, file, honest);
  const done = await t.request(`/v1/datasets/${json.dataset.id}/complete`, { method: "POST" });
  expect(done.status).toBe(202);
  return waitForSettled(get(json.dataset.id));
}

describe("presigned PUT uploads", () => {
  it("creates a dataset with a presigned PUT under the tenant's prefix, signing size and checksum", async () => {
    const file = chatFile(20);
    const { res, json } = await create({ filename: "train.jsonl", bytes: file.length, sha256: sha256Hex(file) });
    expect(res.status).toBe(201);
    expect(json.dataset).toMatchObject({ status: "awaiting_upload", bytes: file.length, report: null });
    const upload = json.upload as PutUploadJson;
    const url = new URL(upload.url);
    expect(decodeURIComponent(url.pathname)).toBe(
      `/${t.aws.bucket}/tenants/${t.tenantId}/datasets/${json.dataset.id}/train.jsonl`,
    );
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;host;x-amz-checksum-sha256");
    expect(Number(url.searchParams.get("X-Amz-Expires"))).toBeLessThanOrEqual(900);
    expect(upload.headers).toEqual({
      "content-length": String(file.length),
      "x-amz-checksum-sha256": Buffer.from(sha256Hex(file), "hex").toString("base64"),
    });
    expect(upload.expires_at - Date.now() / 1000).toBeLessThanOrEqual(901);
  });

  it("validates an upload to ready with statistics, events and a dataset.ready webhook event", async () => {
    const file = chatFile(25);
    const d = await uploadPut(file, { sha256: sha256Hex(file) });
    expect(d.status).toBe("ready");
    expect(d.n_examples).toBe(25);
    expect(d.report?.n_errors).toBe(0);
    expect(d.report?.stats).toMatchObject({
      bytes: file.length,
      sha256: sha256Hex(file),
      messages_by_role: { system: 25, user: 25, assistant: 25 },
    });
    const events = await t.deps.db
      .select()
      .from(datasetEvents)
      .where(eq(datasetEvents.datasetId, d.id))
      .orderBy(asc(datasetEvents.seq));
    expect(events.map((e) => [e.seq, e.type])).toEqual([
      [1, "dataset.created"],
      [2, "dataset.validating"],
      [3, "dataset.ready"],
    ]);
    const hooks = await t.deps.db.select().from(webhookEvents).where(eq(webhookEvents.tenantId, t.tenantId));
    const ready = hooks.find((h) => (h.payload.data as { id: string }).id === d.id);
    expect(ready?.type).toBe("dataset.ready");
    expect((ready?.payload.data as DatasetJson).status).toBe("ready");
  });

  it("marks a broken file invalid with line-numbered errors and a dataset.invalid event", async () => {
    const lines = chatFile(12).toString("utf8").trimEnd().split("\n");
    lines[4] = '{"messages": [{"role": "user", "content": "hi"}, {"role": "robot", "content": "beep"}]}';
    lines[9] = "{not json";
    const d = await uploadPut(Buffer.from(lines.join("\n") + "\n"));
    expect(d.status).toBe("invalid");
    expect(d.error?.code).toBe("validation_failed");
    expect(d.report?.errors.map((e) => [e.line, e.field, e.code])).toEqual([
      [5, "/messages/1/role", "unknown_role"],
      [10, "", "invalid_json"],
    ]);
    const [hook] = await t.deps.db
      .select()
      .from(webhookEvents)
      .where(and(eq(webhookEvents.tenantId, t.tenantId), eq(webhookEvents.type, "dataset.invalid")));
    expect((hook.payload.data as DatasetJson).id).toBe(d.id);
  });

  it("refuses a size lie: invalid with the reason, and the object is deleted", async () => {
    const file = chatFile(15);
    const d = await uploadPut(file, { bytes: file.length - 10 });
    expect(d.status).toBe("invalid");
    expect(d.error).toMatchObject({ code: "size_mismatch" });
    expect(d.error?.message).toContain(`${file.length} bytes`);
    const [row] = await t.deps.db.select().from(datasets).where(eq(datasets.id, d.id));
    await expect(
      t.aws.s3.send(new HeadObjectCommand({ Bucket: t.aws.bucket, Key: row.objectKey })),
    ).rejects.toMatchObject({ name: "NotFound" });
  });

  it("refuses a checksum lie (the emulator does not check x-amz-checksum-sha256; the validator does)", async () => {
    const file = chatFile(15);
    const d = await uploadPut(file, { sha256: sha256Hex(chatFile(15, 1)) });
    expect(d.status).toBe("invalid");
    expect(d.error?.code).toBe("checksum_mismatch");
  });

  it("handles a truncated upload (fewer bytes than declared) as a size mismatch", async () => {
    const file = chatFile(15);
    const d = await uploadPut(file.subarray(0, file.length - 37), { bytes: file.length });
    expect(d.error?.code).toBe("size_mismatch");
  });

  it("is idempotent: a repeated notification or complete call changes nothing", async () => {
    const file = chatFile(11);
    const d = await uploadPut(file);
    expect(d.status).toBe("ready");
    const [row] = await t.deps.db.select().from(datasets).where(eq(datasets.id, d.id));
    const rec = { bucket: t.aws.bucket, key: row.objectKey, size: file.length, etag: row.etag ?? undefined };
    expect(await processObjectCreated(t.deps, rec)).toBe("duplicate");
    await t.aws.sqs.send(
      new SendMessageCommand({
        QueueUrl: t.aws.uploadsQueueUrl,
        MessageBody: objectCreatedNotification({
          region: "us-east-1",
          bucket: t.aws.bucket,
          key: row.objectKey,
          size: file.length,
          etag: row.etag ?? "",
          multipart: false,
        }),
      }),
    );
    const again = await t.request(`/v1/datasets/${d.id}/complete`, { method: "POST" });
    expect(again.status).toBe(202);
    await new Promise((r) => setTimeout(r, 1500));
    const events = await t.deps.db.select().from(datasetEvents).where(eq(datasetEvents.datasetId, d.id));
    expect(events).toHaveLength(3);
    expect((await get(d.id)()).status).toBe("ready");
  });

  it("re-runs a validation that never finished only when its message is redelivered", async () => {
    const file = chatFile(10);
    const { json } = await create({ filename: "crash.jsonl", bytes: file.length });
    const etag = (await putPresigned(json.upload as PutUploadJson, file)).replace(/"/g, "");
    const [row] = await t.deps.db.select().from(datasets).where(eq(datasets.id, json.dataset.id));
    // A consumer that claimed the upload and then died: receipt written, dataset left in `validating`.
    await t.deps.db.insert(uploadReceipts).values({ objectKey: row.objectKey, etag, datasetId: row.id });
    await transitionDataset(t.deps.db, row.id, { from: "awaiting_upload", to: "validating" });
    const rec = { bucket: t.aws.bucket, key: row.objectKey, size: file.length, etag };
    expect(await processObjectCreated(t.deps, rec)).toBe("duplicate");
    expect(await processObjectCreated(t.deps, rec, { redelivered: true })).toBe("ready");
    const events = await t.deps.db
      .select()
      .from(datasetEvents)
      .where(eq(datasetEvents.datasetId, row.id))
      .orderBy(asc(datasetEvents.seq));
    expect(events.map((e) => e.type)).toEqual([
      "dataset.created",
      "dataset.validating",
      "dataset.validation_restarted",
      "dataset.ready",
    ]);
  });

  it("marks a dataset invalid when its validation keeps failing outside the file", async () => {
    const file = chatFile(10);
    const { json } = await create({ filename: "stuck.jsonl", bytes: file.length });
    await putPresigned(json.upload as PutUploadJson, file);
    await transitionDataset(t.deps.db, json.dataset.id, { from: "awaiting_upload", to: "validating" });
    const [row] = await t.deps.db.select().from(datasets).where(eq(datasets.id, json.dataset.id));
    await abandonUpload(
      t.deps,
      { bucket: t.aws.bucket, key: row.objectKey, size: file.length, etag: undefined },
      new Error("store unavailable"),
    );
    const d = await get(json.dataset.id)();
    expect(d.status).toBe("invalid");
    expect(d.error?.code).toBe("validation_error");
    expect(d.error?.message).toContain("store unavailable");
  });

  it("answers complete before any upload with 409 upload_not_found", async () => {
    const { json } = await create({ filename: "x.jsonl", bytes: 100 });
    const res = await t.request(`/v1/datasets/${json.dataset.id}/complete`, { method: "POST" });
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(await res.json()).toMatchObject({ code: "upload_not_found" });
  });
});

describe("presigned POST mode", () => {
  it("offers a form POST with the size pinned when GUARDTUNE_UPLOAD_MODE=post (the emulator cannot take it)", async () => {
    const [tenant] = await t.deps.db.select().from(tenants).where(eq(tenants.id, t.tenantId));
    const postDeps = { ...t.deps, config: { ...t.config, uploads: { ...t.config.uploads, mode: "post" as const } } };
    const { dataset, upload } = await createDataset(
      postDeps,
      tenant,
      { filename: "form.jsonl", purpose: "fine-tune", bytes: 4321 },
      "http://api",
    );
    expect(upload.method).toBe("POST");
    if (upload.method !== "POST") return;
    expect(upload.fields.key).toBe(`tenants/${t.tenantId}/datasets/${dataset.id}/form.jsonl`);
    const policy = JSON.parse(Buffer.from(upload.fields.policy, "base64").toString()) as { conditions: unknown[] };
    expect(policy.conditions).toContainEqual(["content-length-range", 4321, 4321]);
    const [row] = await t.deps.db.select().from(datasets).where(eq(datasets.id, dataset.id));
    expect(row.uploadMode).toBe("POST");
  });
});

describe("multipart uploads", () => {
  it("offers presigned parts above the threshold and completes them to ready", async () => {
    // ~9 MiB: an 8 MiB part and a remainder.
    const file = chatFile(45_000);
    expect(file.length).toBeGreaterThan(8 * 1024 * 1024);
    expect(file.length).toBeLessThan(16 * 1024 * 1024);
    const { res, json } = await create({ filename: "big.jsonl", bytes: file.length, sha256: sha256Hex(file) });
    expect(res.status).toBe(201);
    const upload = json.upload as MultipartUploadJson;
    expect(upload.method).toBe("MULTIPART");
    expect(upload.parts.map((p) => p.number)).toEqual([1, 2]);
    expect(upload.parts[0].bytes).toBe(upload.part_size);
    expect(upload.complete_url).toMatch(new RegExp(`/v1/datasets/${json.dataset.id}/complete$`));

    const noParts = await t.request(`/v1/datasets/${json.dataset.id}/complete`, { method: "POST", json: {} });
    expect(noParts.status).toBe(422);
    expect(await noParts.json()).toMatchObject({ code: "parts_required", param: "parts" });

    const parts = await putParts(upload, file);
    const done = await t.request(new URL(upload.complete_url).pathname, { method: "POST", json: { parts } });
    expect(done.status).toBe(202);
    const d = await waitForSettled(get(json.dataset.id), 60_000);
    expect(d.status).toBe("ready");
    expect(d.n_examples).toBe(45_000);
    expect(d.report?.stats.sha256).toBe(sha256Hex(file));
  });
});

describe("request checks, tenancy, listing and deletion", () => {
  it("refuses oversized declarations before presigning, and bad fields with 422", async () => {
    const big = await create({ filename: "x.jsonl", bytes: 33 * 1024 * 1024 });
    expect(big.res.status).toBe(413);
    expect(big.json).toMatchObject({ code: "file_too_large", param: "bytes" });
    const badName = await create({ filename: "../etc/passwd", bytes: 10 });
    expect(badName.res.status).toBe(422);
    expect(badName.json).toMatchObject({ param: "filename" });
    const badPurpose = await create({ filename: "a.jsonl", bytes: 10, purpose: "pretrain" });
    expect(badPurpose.res.status).toBe(422);
    const malformed = await t.request("/v1/datasets", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get("content-type")).toContain("application/problem+json");
    expect(await malformed.json()).toMatchObject({ code: "invalid_json" });
  });

  it("hides another tenant's dataset behind 404 on every route", async () => {
    const { json } = await create({ filename: "mine.jsonl", bytes: 10 });
    const id = json.dataset.id;
    for (const [method, path] of [
      ["GET", `/v1/datasets/${id}`],
      ["DELETE", `/v1/datasets/${id}`],
      ["POST", `/v1/datasets/${id}/complete`],
    ] as const) {
      const res = await t.request(path, { method, key: t.otherApiKey });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.json()).toMatchObject({ code: "not_found" });
    }
    const list = (await (await t.request("/v1/datasets?limit=100", { key: t.otherApiKey })).json()) as {
      data: DatasetJson[];
    };
    expect(list.data.map((d) => d.id)).not.toContain(id);
  });

  it("pages through datasets newest first with a cursor", async () => {
    const all: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res = await t.request(`/v1/datasets?limit=3${after ? `&after=${after}` : ""}`);
      const page = (await res.json()) as {
        object: string;
        data: DatasetJson[];
        has_more: boolean;
        next_cursor: string | null;
      };
      expect(page.object).toBe("list");
      expect(page.data.length).toBeLessThanOrEqual(3);
      all.push(...page.data.map((d) => d.id));
      if (!page.has_more) {
        expect(page.next_cursor).toBeNull();
        break;
      }
      after = page.next_cursor;
    }
    const rows = await t.deps.db
      .select({ id: datasets.id })
      .from(datasets)
      .where(and(eq(datasets.tenantId, t.tenantId), ne(datasets.status, "deleted")));
    expect(all).toEqual(
      rows
        .map((r) => r.id)
        .sort()
        .reverse(),
    );
    expect(all.length).toBeGreaterThan(6);
  });

  it("refuses deletion while an unfinished job uses the dataset, then deletes object and record", async () => {
    const file = chatFile(10);
    const d = await uploadPut(file);
    // A bare job row (the job API's request checks are not what this test is about).
    await t.deps.db.execute(
      sql`insert into jobs (id, tenant_id, status, model, training_dataset_id, config) values ('ftjob_test_delete', ${t.tenantId}, 'running', 'guardtune/tiny-random', ${d.id}, '{}'::jsonb)`,
    );
    const refused = await t.request(`/v1/datasets/${d.id}`, { method: "DELETE" });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: "dataset_in_use" });

    await t.deps.db.update(jobs).set({ status: "succeeded" }).where(eq(jobs.id, "ftjob_test_delete"));
    const deleted = await t.request(`/v1/datasets/${d.id}`, { method: "DELETE" });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({ id: d.id, object: "dataset", deleted: true });
    expect((await t.request(`/v1/datasets/${d.id}`)).status).toBe(404);
    const [row] = await t.deps.db.select().from(datasets).where(eq(datasets.id, d.id));
    expect(row.status).toBe("deleted");
    await expect(
      t.aws.s3.send(new HeadObjectCommand({ Bucket: t.aws.bucket, Key: row.objectKey })),
    ).rejects.toMatchObject({ name: "NotFound" });
  });

  it("documents the dataset routes in /openapi.json", async () => {
    const doc = (await (await t.request("/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths["/v1/datasets"])).toEqual(expect.arrayContaining(["get", "post"]));
    expect(Object.keys(doc.paths["/v1/datasets/{id}"])).toEqual(expect.arrayContaining(["get", "delete"]));
    expect(doc.paths["/v1/datasets/{id}/complete"]).toHaveProperty("post");
  });
});

describe("dataset status transitions", () => {
  it("refuses illegal transitions with a typed error naming the actual status, and writes nothing", async () => {
    const { json } = await create({ filename: "t.jsonl", bytes: 10 });
    const id = json.dataset.id;
    await expect(transitionDataset(t.deps.db, id, { from: "validating", to: "ready" })).rejects.toThrow(
      new IllegalDatasetTransitionError(id, "ready", "awaiting_upload"),
    );
    await expect(transitionDataset(t.deps.db, id, { from: "ready", to: "validating" })).rejects.toBeInstanceOf(
      IllegalDatasetTransitionError,
    );
    await expect(
      transitionDataset(t.deps.db, "file_missing", { from: "awaiting_upload", to: "validating" }),
    ).rejects.toThrow(/does not exist/);
    const events = await t.deps.db.select().from(datasetEvents).where(eq(datasetEvents.datasetId, id));
    expect(events.map((e) => e.type)).toEqual(["dataset.created"]);
    await transitionDataset(t.deps.db, id, { from: "awaiting_upload", to: "deleted" });
    await expect(transitionDataset(t.deps.db, id, { from: "deleted", to: "validating" })).rejects.toBeInstanceOf(
      IllegalDatasetTransitionError,
    );
  });
});
