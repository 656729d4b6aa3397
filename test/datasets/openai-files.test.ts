import type { AddressInfo } from "node:net";
import { HeadObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { serve, type ServerType } from "@hono/node-server";
import { eq } from "drizzle-orm";
import OpenAI, { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasets } from "../../core/db/schema.ts";
import { startUploadsConsumer, type UploadsConsumer } from "../../functions/datasets/uploads-consumer.ts";
import { createTestApp, type TestApp } from "../helpers/test-app.ts";
import { chatFile, sha256Hex } from "./helpers.ts";

const MAX_BYTES = 10 * 1024 * 1024;
let t: TestApp;
let consumer: UploadsConsumer;
let server: ServerType;
let baseURL: string;
let client: OpenAI;

beforeAll(async () => {
  t = await createTestApp({ GUARDTUNE_MAX_UPLOAD_BYTES: String(MAX_BYTES) });
  consumer = startUploadsConsumer(t.deps, { waitSeconds: 1 });
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: t.app.fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(s));
  });
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  client = new OpenAI({ baseURL, apiKey: t.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  if (server && "closeAllConnections" in server) server.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await consumer?.close();
  await t?.close();
});

describe("OpenAI-compatible /v1/files with the official SDK", () => {
  it("uploads, validates, retrieves, lists with pagination and deletes files", async () => {
    const file = chatFile(12);
    const created = await client.files.create({ file: await toFile(file, "train.jsonl"), purpose: "fine-tune" });
    expect(created).toMatchObject({
      object: "file",
      bytes: file.length,
      filename: "train.jsonl",
      purpose: "fine-tune",
      status: "processed",
    });
    expect(created.id).toMatch(/^file_/);

    const [row] = await t.deps.db.select().from(datasets).where(eq(datasets.id, created.id));
    expect(row).toMatchObject({
      tenantId: t.tenantId,
      uploadMode: "SERVER",
      status: "ready",
      sha256: sha256Hex(file),
      contentSha256: sha256Hex(file),
    });
    expect(row.objectKey).toBe(`tenants/${t.tenantId}/datasets/${created.id}/train.jsonl`);

    const second = await client.files.create({
      file: await toFile(chatFile(10, 100), "more.jsonl"),
      purpose: "fine-tune",
    });
    const third = await client.files.create({
      file: await toFile(chatFile(10, 200), "even more.jsonl"),
      purpose: "fine-tune",
    });
    expect((await client.files.retrieve(second.id)).status).toBe("processed");

    const ids: string[] = [];
    for await (const f of client.files.list({ limit: 2 })) ids.push(f.id);
    expect(ids.slice(0, 3)).toEqual([third.id, second.id, created.id]);
    const firstPage = await client.files.list({ limit: 2 });
    expect(firstPage.data).toHaveLength(2);
    expect(firstPage.hasNextPage()).toBe(true);

    const deleted = await client.files.delete(second.id);
    expect(deleted).toEqual({ id: second.id, object: "file", deleted: true });
    await expect(client.files.retrieve(second.id)).rejects.toMatchObject({ status: 404 });
  });

  it("reports a broken file as status 'error' with the first line-level problem", async () => {
    const lines = chatFile(12).toString().trimEnd().split("\n");
    lines[2] = '{"prompt": "only a prompt"}';
    const f = await client.files.create({
      file: await toFile(Buffer.from(lines.join("\n")), "bad.jsonl"),
      purpose: "fine-tune",
    });
    expect(f.status).toBe("error");
    expect(f.status_details).toContain("line 3");
    expect(f.status_details).toContain("invalid_content");
  });

  it("hides other tenants' files", async () => {
    const mine = await client.files.create({ file: await toFile(chatFile(10), "mine.jsonl"), purpose: "fine-tune" });
    const other = new OpenAI({ baseURL, apiKey: t.otherApiKey, maxRetries: 0 });
    await expect(other.files.retrieve(mine.id)).rejects.toMatchObject({ status: 404 });
    await expect(other.files.delete(mine.id)).rejects.toMatchObject({ status: 404 });
    const listed = await other.files.list();
    expect(listed.data.map((f) => f.id)).not.toContain(mine.id);
  });
});

describe("POST /v1/files streaming and refusals", () => {
  const post = (form: FormData) =>
    fetch(`${baseURL}/files`, { method: "POST", headers: { authorization: `Bearer ${t.apiKey}` }, body: form });

  it("streams a file larger than one part through a multipart upload, with purpose after the file", async () => {
    const file = chatFile(60_000).subarray(0, 9 * 1024 * 1024);
    // Cut at a line end so that the file stays valid.
    const body = file.subarray(0, file.lastIndexOf(0x0a) + 1);
    const form = new FormData();
    form.append("file", new Blob([body]), "big.jsonl");
    form.append("purpose", "interleave-pool");
    const res = await post(form);
    expect(res.status).toBe(200);
    const json = (await res.json()) as { id: string; bytes: number; status: string; purpose: string };
    expect(json).toMatchObject({ bytes: body.length, status: "processed", purpose: "interleave-pool" });
    const [row] = await t.deps.db.select().from(datasets).where(eq(datasets.id, json.id));
    expect(row.contentSha256).toBe(sha256Hex(body));
    const head = await t.aws.s3.send(new HeadObjectCommand({ Bucket: t.aws.bucket, Key: row.objectKey }));
    expect(head.ETag).toMatch(/-2"$/); // a two-part multipart object
  });

  it("refuses a missing or unknown purpose with 422 and leaves no object behind", async () => {
    const before = await t.aws.s3.send(new ListObjectsV2Command({ Bucket: t.aws.bucket }));
    const form = new FormData();
    form.append("file", new Blob([chatFile(10)]), "x.jsonl");
    form.append("purpose", "assistants");
    const res = await post(form);
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ code: "invalid_purpose", param: "purpose" });
    const noPurpose = new FormData();
    noPurpose.append("file", new Blob([chatFile(10)]), "x.jsonl");
    expect((await post(noPurpose)).status).toBe(422);
    const after = await t.aws.s3.send(new ListObjectsV2Command({ Bucket: t.aws.bucket }));
    expect(after.KeyCount).toBe(before.KeyCount);
  });

  it("refuses non-form bodies with 415, a form without a file with 422, and oversized files with 413", async () => {
    const json = await fetch(`${baseURL}/files`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.apiKey}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(json.status).toBe(415);
    const noFile = new FormData();
    noFile.append("purpose", "fine-tune");
    const res = await post(noFile);
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ code: "missing_file", param: "file" });
    const big = new FormData();
    big.append("purpose", "fine-tune");
    big.append("file", new Blob([Buffer.alloc(MAX_BYTES + 1, 0x61)]), "big.jsonl");
    const tooBig = await post(big);
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toMatchObject({ code: "file_too_large" });
  });

  it("is documented in /openapi.json", async () => {
    const doc = (await (await t.request("/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths["/v1/files"])).toEqual(expect.arrayContaining(["get", "post"]));
    expect(Object.keys(doc.paths["/v1/files/{file_id}"])).toEqual(expect.arrayContaining(["get", "delete"]));
  });
});
