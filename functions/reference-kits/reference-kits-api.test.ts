import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../core/auth/api-keys.ts";
import { jobQueueOutbox, jobs } from "../../core/db/schema.ts";
import { parseJobConfig } from "../../core/jobs/job-config.ts";
import { newestReadyKit } from "../../core/reference-kits/kit-state.ts";
import { createTestApp, type TestApp } from "../../test/helpers/test-app.ts";
import { insertDataset } from "../../test/jobs/job-fixtures.ts";

let t: TestApp;
let adminKey: string;
let adminTenant: string;
let code: string;
let medical: string;

beforeAll(async () => {
  t = await createTestApp();
  const admin = await createApiKey(t.database.db, { tenant: "operator", scopes: ["admin"] });
  adminKey = admin.key;
  adminTenant = admin.tenantId;
  code = await insertDataset(t.database.db, adminTenant);
  medical = await insertDataset(t.database.db, adminTenant);
});
afterAll(async () => t?.close());

interface KitBody {
  id: string;
  name: string;
  model: string;
  status: string;
  members: { domain: string; dataset: string; job_id: string; job_status: string; adapter: string | null }[];
}

const postKit = (json: unknown, key: string | null = adminKey) =>
  t.request("/v1/reference_kits", { method: "POST", json, key });

describe("/v1/reference_kits", () => {
  it("needs the admin scope to build a kit", async () => {
    const res = await postKit({ model: "guardtune/tiny-random", datasets: [{ id: code, domain: "code" }] }, t.apiKey);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe("admin_scope_required");
  });

  it("queues one unguarded, ungated job per dataset through the job path and shows the kit building", async () => {
    const res = await postKit({
      name: "tiny-em",
      model: "guardtune/tiny-random",
      datasets: [
        { id: code, domain: "code" },
        { id: medical, domain: "medical" },
      ],
      method: { type: "supervised", hyperparameters: { n_epochs: 1 } },
      seed: 3,
    });
    expect(res.status).toBe(201);
    const kit = (await res.json()) as KitBody;
    expect(kit).toMatchObject({ name: "tiny-em", model: "guardtune/tiny-random", status: "building" });
    expect(kit.members.map((m) => [m.domain, m.dataset, m.job_status, m.adapter]).sort()).toEqual([
      ["code", code, "queued", null],
      ["medical", medical, "queued", null],
    ]);
    const rows = await t.database.db
      .select()
      .from(jobs)
      .where(
        inArray(
          jobs.id,
          kit.members.map((m) => m.job_id),
        ),
      );
    for (const job of rows) {
      const config = parseJobConfig(job.config);
      expect(job.tenantId).toBe(adminTenant);
      expect(config.safeguards).toEqual([{ type: "none" }]);
      expect(config.evaluation.broad).toBe(false);
      expect(config.evaluation.gate).toBe(false);
      expect(config.method.hyperparameters.n_epochs).toBe(1);
      expect(job.metadata).toMatchObject({ reference_kit: kit.id });
      const outbox = await t.database.db.select().from(jobQueueOutbox).where(eq(jobQueueOutbox.jobId, job.id));
      expect(outbox).toHaveLength(1);
    }
    expect(await newestReadyKit(t.database.db, "guardtune/tiny-random")).toBeNull();

    // one job succeeds, the other fails: the kit is ready with the one adapter
    const [first, second] = kit.members;
    await t.database.db.update(jobs).set({ status: "succeeded" }).where(eq(jobs.id, first.job_id));
    await t.database.db.update(jobs).set({ status: "failed" }).where(eq(jobs.id, second.job_id));
    const got = (await (await t.request(`/v1/reference_kits/tiny-em`, { key: adminKey })).json()) as KitBody;
    expect(got.status).toBe("ready");
    expect(got.members.find((m) => m.job_id === first.job_id)?.adapter).toBe(first.job_id);
    expect(got.members.find((m) => m.job_id === second.job_id)?.adapter).toBeNull();
    expect((await newestReadyKit(t.database.db, "guardtune/tiny-random"))?.id).toBe(kit.id);

    // every tenant sees the kits; by id or name, filtered by model
    const byId = (await (await t.request(`/v1/reference_kits/${kit.id}`, { key: t.otherApiKey })).json()) as KitBody;
    expect(byId.name).toBe("tiny-em");
    expect(byId.members.map((m) => m.dataset)).toEqual([null, null]); // the operator's datasets stay private
    expect(byId.members.map((m) => m.adapter).sort()).toEqual(got.members.map((m) => m.adapter).sort());
    const list = (await (await t.request("/v1/reference_kits?model=guardtune/tiny-random")).json()) as {
      data: KitBody[];
    };
    expect(list.data.map((k) => k.id)).toContain(kit.id);
    const none = (await (await t.request("/v1/reference_kits?model=org/other")).json()) as { data: KitBody[] };
    expect(none.data).toEqual([]);
    expect((await t.request("/v1/reference_kits/nope")).status).toBe(404);
  });

  it.each([
    ["a dataset of another tenant", () => ({ datasets: [{ id: "OTHER", domain: "code" }] }), "datasets.0.id"],
    ["an unknown model", () => ({ model: "acme/unknown" }), "model"],
    ["a taken name", () => ({ name: "tiny-em" }), "name"],
    ["a domain that is not a label", () => ({ datasets: [{ id: code, domain: "Bad Advice" }] }), "datasets.0.domain"],
  ])("refuses %s, naming the field, and queues nothing", async (_what, patch, param) => {
    const other = await insertDataset(t.database.db, t.tenantId);
    const body = { model: "guardtune/tiny-random", datasets: [{ id: code, domain: "code" }], ...patch() };
    const json = JSON.parse(JSON.stringify(body).replace("OTHER", other)) as unknown;
    const before = (await t.database.db.select().from(jobs)).length;
    const res = await postKit(json);
    expect([409, 422]).toContain(res.status);
    const problem = (await res.json()) as { param: string | null };
    expect(problem.param ?? "").toBe(param);
    expect((await t.database.db.select().from(jobs)).length).toBe(before);
  });
});
