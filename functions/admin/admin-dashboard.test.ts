import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenants } from "../../core/db/schema.ts";
import { insertDataset, insertJob } from "../../test/jobs/job-fixtures.ts";
import { createTestApp, type TestApp } from "../../test/helpers/test-app.ts";

const ADMIN_KEY = "gt_" + "Adm1n".repeat(8);
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const CHALLENGE = 'Basic realm="guardtune admin"';

interface TenantUsageJson {
  tenant_name: string;
  jobs_total: number;
  jobs_queued: number;
  jobs_succeeded: number;
  jobs_failed: number;
  trained_tokens: number;
  datasets_ready: number;
  datasets_invalid: number;
  median_job_duration_s: number | null;
}
interface OverviewJson {
  generated_at: string;
  queue_health: { queued_jobs: number; running_jobs: number; unsent_outbox: number };
  tenant_usage: TenantUsageJson[];
  job_failures: Array<{ code: string; failures: number; last_failed_at: string }>;
  webhook_health: unknown[];
}

describe("admin dashboard", () => {
  let ctx: TestApp;
  let jobId: string;
  const get = (path: string, authorization?: string) =>
    Promise.resolve(ctx.app.request(path, { headers: authorization ? { authorization } : {} }));

  beforeAll(async () => {
    ctx = await createTestApp({ GUARDTUNE_ADMIN_KEY: ADMIN_KEY });
    const db = ctx.database.db;
    const ds = await insertDataset(db, ctx.tenantId);
    await insertDataset(db, ctx.tenantId);
    await insertDataset(db, ctx.tenantId, { status: "invalid" });
    await insertJob(db, ctx.tenantId, ds, "queued");
    const finishedAt = new Date();
    for (const [seconds, tokens] of [
      [30, 5],
      [90, 7],
    ]) {
      const startedAt = new Date(finishedAt.getTime() - seconds * 1000);
      await insertJob(db, ctx.tenantId, ds, "succeeded", { startedAt, finishedAt, trainedTokens: tokens });
    }
    jobId = (
      await insertJob(db, ctx.tenantId, ds, "failed", {
        error: { code: "boom", message: "x", param: null },
        finishedAt,
      })
    ).id;
    await db.insert(tenants).values({ id: "ten_evil", name: `<script>alert("x")</script>` });
  });
  afterAll(() => ctx?.close());

  it.each([
    ["no credentials", undefined],
    ["a wrong bearer key", `Bearer gt_${"0".repeat(40)}`],
    ["a tenant API key", "tenant"],
    ["a wrong basic password", basic("admin", "nope")],
    ["the key as basic user name", basic(ADMIN_KEY, "")],
    ["a malformed header", "Token abc"],
  ])("rejects %s with a 401 problem and a Basic challenge", async (_, authorization) => {
    for (const path of ["/admin", "/admin/api/overview"]) {
      const res = await get(path, authorization === "tenant" ? `Bearer ${ctx.apiKey}` : authorization);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe(CHALLENGE);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(await res.json()).toMatchObject({ status: 401, code: "invalid_admin_key" });
    }
  });

  it("accepts the key as a Bearer token and as the Basic password", async () => {
    for (const authorization of [`Bearer ${ADMIN_KEY}`, basic("admin", ADMIN_KEY), basic("", ADMIN_KEY)]) {
      const res = await get("/admin/api/overview", authorization);
      expect(res.status).toBe(200);
    }
  });

  it("does not let the admin key act as a tenant API key", async () => {
    const res = await get("/v1/jobs", `Bearer ${ADMIN_KEY}`);
    expect(res.status).toBe(401);
  });

  it("overview reports the inserted jobs and datasets", async () => {
    const res = await get("/admin/api/overview", `Bearer ${ADMIN_KEY}`);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as OverviewJson;
    expect(Date.parse(body.generated_at)).not.toBeNaN();
    const acme = body.tenant_usage.find((t) => t.tenant_name === "acme");
    expect(acme).toMatchObject({
      jobs_total: 4,
      jobs_queued: 1,
      jobs_succeeded: 2,
      jobs_failed: 1,
      trained_tokens: 12,
      datasets_ready: 2,
      datasets_invalid: 1,
      median_job_duration_s: 60,
    });
    expect(body.tenant_usage.find((t) => t.tenant_name === "globex")).toMatchObject({
      jobs_total: 0,
      trained_tokens: 0,
    });
    expect(body.queue_health).toMatchObject({ queued_jobs: 1, running_jobs: 0 });
    expect(body.job_failures).toEqual([
      { code: "boom", failures: 1, tenants: 1, last_failed_at: expect.any(String), last_message: "x" },
    ]);
    expect(body.webhook_health).toEqual([]);
  });

  it("renders the overview with every value escaped, loading only its own script", async () => {
    const res = await get("/admin", basic("admin", ADMIN_KEY));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script src="/admin/assets/live-refresh.js" defer>']);
    for (const [, url] of html.matchAll(/(?:src|href|action)="([^"]*)"/g)) expect(url).toMatch(/^(\/admin|#)/);
    expect(html).toContain("<td>acme</td>");
    expect(html).toContain("<td>boom</td>");
    expect(html).toContain('id="chart-status"');
  });

  it("serves the live partial with the same filters, and the refresh script", async () => {
    const auth = `Bearer ${ADMIN_KEY}`;
    const partial = await get(`/admin/partials/overview?range=7d&tenant=${ctx.tenantId}`, auth);
    expect(partial.status).toBe(200);
    const body = await partial.text();
    expect(body).not.toContain("<html");
    expect(body).toContain("Showing tenant acme, last 7d");
    const script = await get("/admin/assets/live-refresh.js", auth);
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain("dataset.partial");
  });

  it("finds jobs by id and answers 404 for unknown ones", async () => {
    const auth = `Bearer ${ADMIN_KEY}`;
    const search = await get(`/admin/search?id=${jobId}`, auth);
    expect(search.status).toBe(303);
    expect(search.headers.get("location")).toBe(`/admin/jobs/${jobId}`);
    const page = await get(`/admin/jobs/${jobId}`, auth);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(jobId);
    const missing = await get("/admin/jobs/ftjob_nope", auth);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("No job ftjob_nope");
    expect((await get("/admin/search?id=%3Cx%3E", auth)).headers.get("location")).toBe("/admin");
  });
});
