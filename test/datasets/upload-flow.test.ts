import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { datasetEvents, datasets, tenants, uploadReceipts, webhookEvents } from "../../core/db/schema.ts";
import { transitionDataset } from "../../functions/datasets/dataset-transitions.ts";
import { objectCreatedNotification } from "../../core/aws/upload-notification.ts";
import { createDataset } from "../../functions/datasets/create-dataset.ts";
import { abandonUpload, processObjectCreated } from "../../functions/datasets/process-upload.ts";
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
import { useUploadTestApp } from "./upload-test-app.ts";

const h = useUploadTestApp();

describe("presigned PUT uploads", () => {
  it("creates a dataset with a presigned PUT under the tenant's prefix, signing size and checksum", async () => {
    const file = chatFile(20);
    const { res, json } = await h.create({ filename: "train.jsonl", bytes: file.length, sha256: sha256Hex(file) });
    expect(res.status).toBe(201);
    expect(json.dataset).toMatchObject({ status: "awaiting_upload", bytes: file.length, report: null });
    const upload = json.upload as PutUploadJson;
    const url = new URL(upload.url);
    expect(decodeURIComponent(url.pathname)).toBe(
      `/${h.t.aws.bucket}/tenants/${h.t.tenantId}/datasets/${json.dataset.id}/train.jsonl`,
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
    const d = await h.uploadPut(file, { sha256: sha256Hex(file) });
    expect(d.status).toBe("ready");
    expect(d.n_examples).toBe(25);
    expect(d.report?.n_errors).toBe(0);
    expect(d.report?.stats).toMatchObject({
      bytes: file.length,
      sha256: sha256Hex(file),
      messages_by_role: { system: 25, user: 25, assistant: 25 },
    });
    const events = await h.t.deps.db
      .select()
      .from(datasetEvents)
      .where(eq(datasetEvents.datasetId, d.id))
      .orderBy(asc(datasetEvents.seq));
    expect(events.map((e) => [e.seq, e.type])).toEqual([
      [1, "dataset.created"],
      [2, "dataset.validating"],
      [3, "dataset.ready"],
    ]);
    const hooks = await h.t.deps.db.select().from(webhookEvents).where(eq(webhookEvents.tenantId, h.t.tenantId));
    const ready = hooks.find((h) => (h.payload.data as { id: string }).id === d.id);
    expect(ready?.type).toBe("dataset.ready");
    expect((ready?.payload.data as DatasetJson).status).toBe("ready");
  });

  it("marks a broken file invalid with line-numbered errors and a dataset.invalid event", async () => {
    const lines = chatFile(12).toString("utf8").trimEnd().split("\n");
    lines[4] = '{"messages": [{"role": "user", "content": "hi"}, {"role": "robot", "content": "beep"}]}';
    lines[9] = "{not json";
    const d = await h.uploadPut(Buffer.from(lines.join("\n") + "\n"));
    expect(d.status).toBe("invalid");
    expect(d.error?.code).toBe("validation_failed");
    expect(d.report?.errors.map((e) => [e.line, e.field, e.code])).toEqual([
      [5, "/messages/1/role", "unknown_role"],
      [10, "", "invalid_json"],
    ]);
    const [hook] = await h.t.deps.db
      .select()
      .from(webhookEvents)
      .where(and(eq(webhookEvents.tenantId, h.t.tenantId), eq(webhookEvents.type, "dataset.invalid")));
    expect((hook.payload.data as DatasetJson).id).toBe(d.id);
  });

  it("refuses a size lie: invalid with the reason, and the object is deleted", async () => {
    const file = chatFile(15);
    const d = await h.uploadPut(file, { bytes: file.length - 10 });
    expect(d.status).toBe("invalid");
    expect(d.error).toMatchObject({ code: "size_mismatch" });
    expect(d.error?.message).toContain(`${file.length} bytes`);
    const [row] = await h.t.deps.db.select().from(datasets).where(eq(datasets.id, d.id));
    await expect(
      h.t.aws.s3.send(new HeadObjectCommand({ Bucket: h.t.aws.bucket, Key: row.objectKey })),
    ).rejects.toMatchObject({ name: "NotFound" });
  });

  it("refuses a checksum lie (the emulator does not check x-amz-checksum-sha256; the validator does)", async () => {
    const file = chatFile(15);
    const d = await h.uploadPut(file, { sha256: sha256Hex(chatFile(15, 1)) });
    expect(d.status).toBe("invalid");
    expect(d.error?.code).toBe("checksum_mismatch");
  });

  it("handles a truncated upload (fewer bytes than declared) as a size mismatch", async () => {
    const file = chatFile(15);
    const d = await h.uploadPut(file.subarray(0, file.length - 37), { bytes: file.length });
    expect(d.error?.code).toBe("size_mismatch");
  });

  it("is idempotent: a repeated notification or complete call changes nothing", async () => {
    const file = chatFile(11);
    const d = await h.uploadPut(file);
    expect(d.status).toBe("ready");
    const [row] = await h.t.deps.db.select().from(datasets).where(eq(datasets.id, d.id));
    const rec = { bucket: h.t.aws.bucket, key: row.objectKey, size: file.length, etag: row.etag ?? undefined };
    expect(await processObjectCreated(h.t.deps, rec)).toBe("duplicate");
    await h.t.aws.sqs.send(
      new SendMessageCommand({
        QueueUrl: h.t.aws.uploadsQueueUrl,
        MessageBody: objectCreatedNotification({
          region: "us-east-1",
          bucket: h.t.aws.bucket,
          key: row.objectKey,
          size: file.length,
          etag: row.etag ?? "",
          multipart: false,
        }),
      }),
    );
    const again = await h.t.request(`/v1/datasets/${d.id}/complete`, { method: "POST" });
    expect(again.status).toBe(202);
    await new Promise((r) => setTimeout(r, 1500));
    const events = await h.t.deps.db.select().from(datasetEvents).where(eq(datasetEvents.datasetId, d.id));
    expect(events).toHaveLength(3);
    expect((await h.get(d.id)()).status).toBe("ready");
  });

  it("re-runs a validation that never finished only when its message is redelivered", async () => {
    const file = chatFile(10);
    const { json } = await h.create({ filename: "crash.jsonl", bytes: file.length });
    const etag = (await putPresigned(json.upload as PutUploadJson, file)).replace(/"/g, "");
    const [row] = await h.t.deps.db.select().from(datasets).where(eq(datasets.id, json.dataset.id));
    // A consumer that claimed the upload and then died: receipt written, dataset left in `validating`.
    await h.t.deps.db.insert(uploadReceipts).values({ objectKey: row.objectKey, etag, datasetId: row.id });
    await transitionDataset(h.t.deps.db, row.id, { from: "awaiting_upload", to: "validating" });
    const rec = { bucket: h.t.aws.bucket, key: row.objectKey, size: file.length, etag };
    expect(await processObjectCreated(h.t.deps, rec)).toBe("duplicate");
    expect(await processObjectCreated(h.t.deps, rec, { redelivered: true })).toBe("ready");
    const events = await h.t.deps.db
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
    const { json } = await h.create({ filename: "stuck.jsonl", bytes: file.length });
    await putPresigned(json.upload as PutUploadJson, file);
    await transitionDataset(h.t.deps.db, json.dataset.id, { from: "awaiting_upload", to: "validating" });
    const [row] = await h.t.deps.db.select().from(datasets).where(eq(datasets.id, json.dataset.id));
    await abandonUpload(
      h.t.deps,
      { bucket: h.t.aws.bucket, key: row.objectKey, size: file.length, etag: undefined },
      new Error("store unavailable"),
    );
    const d = await h.get(json.dataset.id)();
    expect(d.status).toBe("invalid");
    expect(d.error?.code).toBe("validation_error");
    expect(d.error?.message).toContain("store unavailable");
  });

  it("answers complete before any upload with 409 upload_not_found", async () => {
    const { json } = await h.create({ filename: "x.jsonl", bytes: 100 });
    const res = await h.t.request(`/v1/datasets/${json.dataset.id}/complete`, { method: "POST" });
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(await res.json()).toMatchObject({ code: "upload_not_found" });
  });
});

describe("presigned POST mode", () => {
  it("offers a form POST with the size pinned when GUARDTUNE_UPLOAD_MODE=post (the emulator cannot take it)", async () => {
    const [tenant] = await h.t.deps.db.select().from(tenants).where(eq(tenants.id, h.t.tenantId));
    const postDeps = {
      ...h.t.deps,
      config: { ...h.t.config, uploads: { ...h.t.config.uploads, mode: "post" as const } },
    };
    const { dataset, upload } = await createDataset(
      postDeps,
      tenant,
      { filename: "form.jsonl", purpose: "fine-tune", bytes: 4321 },
      "http://api",
    );
    expect(upload.method).toBe("POST");
    if (upload.method !== "POST") return;
    expect(upload.fields.key).toBe(`tenants/${h.t.tenantId}/datasets/${dataset.id}/form.jsonl`);
    const policy = JSON.parse(Buffer.from(upload.fields.policy, "base64").toString()) as { conditions: unknown[] };
    expect(policy.conditions).toContainEqual(["content-length-range", 4321, 4321]);
    const [row] = await h.t.deps.db.select().from(datasets).where(eq(datasets.id, dataset.id));
    expect(row.uploadMode).toBe("POST");
  });
});

describe("multipart uploads", () => {
  it("offers presigned parts above the threshold and completes them to ready", async () => {
    // ~9 MiB: an 8 MiB part and a remainder.
    const file = chatFile(45_000);
    expect(file.length).toBeGreaterThan(8 * 1024 * 1024);
    expect(file.length).toBeLessThan(16 * 1024 * 1024);
    const { res, json } = await h.create({ filename: "big.jsonl", bytes: file.length, sha256: sha256Hex(file) });
    expect(res.status).toBe(201);
    const upload = json.upload as MultipartUploadJson;
    expect(upload.method).toBe("MULTIPART");
    expect(upload.parts.map((p) => p.number)).toEqual([1, 2]);
    expect(upload.parts[0].bytes).toBe(upload.part_size);
    expect(upload.complete_url).toMatch(new RegExp(`/v1/datasets/${json.dataset.id}/complete$`));

    const noParts = await h.t.request(`/v1/datasets/${json.dataset.id}/complete`, { method: "POST", json: {} });
    expect(noParts.status).toBe(422);
    expect(await noParts.json()).toMatchObject({ code: "parts_required", param: "parts" });

    const parts = await putParts(upload, file);
    const done = await h.t.request(new URL(upload.complete_url).pathname, { method: "POST", json: { parts } });
    expect(done.status).toBe(202);
    const d = await waitForSettled(h.get(json.dataset.id), 60_000);
    expect(d.status).toBe("ready");
    expect(d.n_examples).toBe(45_000);
    expect(d.report?.stats.sha256).toBe(sha256Hex(file));
  });
});
