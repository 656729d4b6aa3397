import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { and, eq, ne, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { datasetEvents, datasets, jobs } from "../../core/db/schema.ts";
import { IllegalDatasetTransitionError, transitionDataset } from "../../functions/datasets/dataset-transitions.ts";
import { chatFile, type DatasetJson } from "./helpers.ts";
import { useUploadTestApp } from "./upload-test-app.ts";

const h = useUploadTestApp();

describe("request checks, tenancy, listing and deletion", () => {
  it("refuses oversized declarations before presigning, and bad fields with 422", async () => {
    const big = await h.create({ filename: "x.jsonl", bytes: 33 * 1024 * 1024 });
    expect(big.res.status).toBe(413);
    expect(big.json).toMatchObject({ code: "file_too_large", param: "bytes" });
    const badName = await h.create({ filename: "../etc/passwd", bytes: 10 });
    expect(badName.res.status).toBe(422);
    expect(badName.json).toMatchObject({ param: "filename" });
    const badPurpose = await h.create({ filename: "a.jsonl", bytes: 10, purpose: "pretrain" });
    expect(badPurpose.res.status).toBe(422);
    const malformed = await h.t.request("/v1/datasets", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get("content-type")).toContain("application/problem+json");
    expect(await malformed.json()).toMatchObject({ code: "invalid_json" });
  });

  it("hides another tenant's dataset behind 404 on every route", async () => {
    const { json } = await h.create({ filename: "mine.jsonl", bytes: 10 });
    const id = json.dataset.id;
    for (const [method, path] of [
      ["GET", `/v1/datasets/${id}`],
      ["DELETE", `/v1/datasets/${id}`],
      ["POST", `/v1/datasets/${id}/complete`],
    ] as const) {
      const res = await h.t.request(path, { method, key: h.t.otherApiKey });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.json()).toMatchObject({ code: "not_found" });
    }
    const list = (await (await h.t.request("/v1/datasets?limit=100", { key: h.t.otherApiKey })).json()) as {
      data: DatasetJson[];
    };
    expect(list.data.map((d) => d.id)).not.toContain(id);
  });

  it("pages through datasets newest first with a cursor", async () => {
    // enough datasets for three pages of three, whatever the other tests of this file created
    for (let i = 0; i < 7; i++)
      expect((await h.create({ filename: `page-${i}.jsonl`, bytes: 10 })).res.status).toBe(201);
    const all: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res = await h.t.request(`/v1/datasets?limit=3${after ? `&after=${after}` : ""}`);
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
    const rows = await h.t.deps.db
      .select({ id: datasets.id })
      .from(datasets)
      .where(and(eq(datasets.tenantId, h.t.tenantId), ne(datasets.status, "deleted")));
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
    const d = await h.uploadPut(file);
    // A bare job row (the job API's request checks are not what this test is about).
    await h.t.deps.db.execute(
      sql`insert into jobs (id, tenant_id, status, model, training_dataset_id, config) values ('ftjob_test_delete', ${h.t.tenantId}, 'running', 'guardtune/tiny-random', ${d.id}, '{}'::jsonb)`,
    );
    const refused = await h.t.request(`/v1/datasets/${d.id}`, { method: "DELETE" });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: "dataset_in_use" });

    await h.t.deps.db.update(jobs).set({ status: "succeeded" }).where(eq(jobs.id, "ftjob_test_delete"));
    const deleted = await h.t.request(`/v1/datasets/${d.id}`, { method: "DELETE" });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({ id: d.id, object: "dataset", deleted: true });
    expect((await h.t.request(`/v1/datasets/${d.id}`)).status).toBe(404);
    const [row] = await h.t.deps.db.select().from(datasets).where(eq(datasets.id, d.id));
    expect(row.status).toBe("deleted");
    await expect(
      h.t.aws.s3.send(new HeadObjectCommand({ Bucket: h.t.aws.bucket, Key: row.objectKey })),
    ).rejects.toMatchObject({ name: "NotFound" });
  });

  it("documents the dataset routes in /openapi.json", async () => {
    const doc = (await (await h.t.request("/openapi.json")).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(doc.paths["/v1/datasets"])).toEqual(expect.arrayContaining(["get", "post"]));
    expect(Object.keys(doc.paths["/v1/datasets/{id}"])).toEqual(expect.arrayContaining(["get", "delete"]));
    expect(doc.paths["/v1/datasets/{id}/complete"]).toHaveProperty("post");
  });
});

describe("dataset status transitions", () => {
  it("refuses illegal transitions with a typed error naming the actual status, and writes nothing", async () => {
    const { json } = await h.create({ filename: "h.t.jsonl", bytes: 10 });
    const id = json.dataset.id;
    await expect(transitionDataset(h.t.deps.db, id, { from: "validating", to: "ready" })).rejects.toThrow(
      new IllegalDatasetTransitionError(id, "ready", "awaiting_upload"),
    );
    await expect(transitionDataset(h.t.deps.db, id, { from: "ready", to: "validating" })).rejects.toBeInstanceOf(
      IllegalDatasetTransitionError,
    );
    await expect(
      transitionDataset(h.t.deps.db, "file_missing", { from: "awaiting_upload", to: "validating" }),
    ).rejects.toThrow(/does not exist/);
    const events = await h.t.deps.db.select().from(datasetEvents).where(eq(datasetEvents.datasetId, id));
    expect(events.map((e) => e.type)).toEqual(["dataset.created"]);
    await transitionDataset(h.t.deps.db, id, { from: "awaiting_upload", to: "deleted" });
    await expect(transitionDataset(h.t.deps.db, id, { from: "deleted", to: "validating" })).rejects.toBeInstanceOf(
      IllegalDatasetTransitionError,
    );
  });
});
