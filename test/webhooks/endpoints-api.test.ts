import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/test-app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const create = (json: unknown, key?: string) => t.request("/v1/webhook_endpoints", { method: "POST", json, key });
const body = async (res: Response) => (await res.json()) as Record<string, unknown>;

describe("webhook endpoints API", () => {
  it("creates an endpoint and shows its secret only in that response", async () => {
    const res = await create({
      url: "https://hooks.example.com/gt",
      events: ["fine_tuning.job.succeeded", "dataset.ready"],
      description: "prod",
    });
    expect(res.status).toBe(201);
    const created = await body(res);
    expect(created).toMatchObject({
      object: "webhook_endpoint",
      url: "https://hooks.example.com/gt",
      events: ["fine_tuning.job.succeeded", "dataset.ready"],
      description: "prod",
      enabled: true,
      disabled_reason: null,
    });
    expect(created.id).toMatch(/^we_/);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(typeof created.created_at).toBe("number");

    const got = await body(await t.request(`/v1/webhook_endpoints/${created.id}`));
    expect(got.id).toBe(created.id);
    expect(got).not.toHaveProperty("secret");
    const list = await body(await t.request("/v1/webhook_endpoints"));
    expect(JSON.stringify(list)).not.toContain(String(created.secret));
  });

  it.each([
    [{ url: "http://hooks.example.com/", events: ["*"] }, "url", "https"],
    [{ url: "https://10.0.0.1/", events: ["*"] }, "url", "10.0.0.0/8"],
    [{ url: "https://169.254.169.254/", events: ["*"] }, "url", "link-local"],
    [{ url: "https://localhost:8080/", events: ["*"] }, "url", "localhost"],
    [{ url: "https://[::1]/", events: ["*"] }, "url", "loopback"],
    [{ url: "nonsense", events: ["*"] }, "url", "valid absolute URL"],
    [{ url: "https://hooks.example.com/", events: ["job.exploded"] }, "events.0", ""],
    [{ url: "https://hooks.example.com/", events: [] }, "events", ""],
    [{ events: ["*"] }, "url", ""],
  ])("refuses %j with 422 on %s", async (json, param, detail) => {
    // Tests run in embedded mode where http is allowed; a production config refuses it.
    const app = param === "url" && detail === "https" ? await externalApp() : t;
    const res = await app.request("/v1/webhook_endpoints", { method: "POST", json });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const problem = await body(res);
    expect(problem.param).toBe(param);
    expect(String(problem.detail)).toContain(detail);
  });

  it("accepts http in embedded mode for the allow-listed loopback receiver", async () => {
    const res = await create({ url: "http://127.0.0.1:9/hooks", events: ["*"] });
    expect(res.status).toBe(201);
  });

  it("updates url, events, description and enabled; validates the new url", async () => {
    const { id } = await body(await create({ url: "https://a.example.com/", events: ["*"] }));
    const patched = await t.request(`/v1/webhook_endpoints/${id}`, {
      method: "PATCH",
      json: { url: "https://b.example.com/x", events: ["dataset.invalid"], description: null, enabled: false },
    });
    expect(patched.status).toBe(200);
    expect(await body(patched)).toMatchObject({
      url: "https://b.example.com/x",
      events: ["dataset.invalid"],
      enabled: false,
      disabled_reason: "Disabled by its owner.",
    });
    const bad = await t.request(`/v1/webhook_endpoints/${id}`, {
      method: "PATCH",
      json: { url: "https://192.168.1.1/" },
    });
    expect(bad.status).toBe(422);
    expect((await body(bad)).param).toBe("url");
    const reenabled = await body(
      await t.request(`/v1/webhook_endpoints/${id}`, { method: "PATCH", json: { enabled: true } }),
    );
    expect(reenabled).toMatchObject({ enabled: true, disabled_reason: null, disabled_at: null });
  });

  it("rotates the secret: a new one, the old one signing for 24 hours", async () => {
    const created = await body(await create({ url: "https://rot.example.com/", events: ["*"] }));
    const res = await t.request(`/v1/webhook_endpoints/${created.id}/rotate_secret`, { method: "POST" });
    expect(res.status).toBe(200);
    const rotated = await body(res);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    const overlap = Number(rotated.previous_secret_expires_at) - Math.floor(Date.now() / 1000);
    expect(overlap).toBeGreaterThan(24 * 3600 - 60);
    expect(overlap).toBeLessThanOrEqual(24 * 3600);
  });

  it("hides other tenants' endpoints and deliveries behind 404", async () => {
    const { id } = await body(await create({ url: "https://mine.example.com/", events: ["*"] }));
    const other = t.otherApiKey;
    for (const [method, path] of [
      ["GET", `/v1/webhook_endpoints/${id}`],
      ["PATCH", `/v1/webhook_endpoints/${id}`],
      ["DELETE", `/v1/webhook_endpoints/${id}`],
      ["POST", `/v1/webhook_endpoints/${id}/rotate_secret`],
      ["POST", `/v1/webhook_endpoints/${id}/test`],
      ["GET", `/v1/webhook_endpoints/${id}/deliveries`],
    ] as const) {
      const res = await t.request(path, {
        method,
        key: other,
        ...(method === "PATCH" ? { json: { enabled: false } } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const test = await body(await t.request(`/v1/webhook_endpoints/${id}/test`, { method: "POST" }));
    expect(test).toMatchObject({
      object: "webhook_delivery",
      status: "pending",
      event_type: "webhook.test",
      endpoint_id: id,
    });
    for (const [method, path] of [
      ["GET", `/v1/webhook_deliveries/${test.id}`],
      ["POST", `/v1/webhook_deliveries/${test.id}/replay`],
    ] as const) {
      expect((await t.request(path, { method, key: other })).status, `${method} ${path}`).toBe(404);
    }
    const otherList = await body(await t.request("/v1/webhook_endpoints", { key: other }));
    expect(otherList.data).toEqual([]);
  });

  it("pages lists newest first with next_cursor", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(String((await body(await create({ url: `https://page${i}.example.com/`, events: ["*"] }))).id));
    const first = await body(await t.request("/v1/webhook_endpoints?limit=2"));
    expect(first).toMatchObject({ object: "list", has_more: true });
    expect((first.data as Array<{ id: string }>).map((e) => e.id)).toEqual([ids[2], ids[1]]);
    const second = await body(await t.request(`/v1/webhook_endpoints?limit=2&after=${first.next_cursor}`));
    expect((second.data as Array<{ id: string }>)[0].id).toBe(ids[0]);
  });

  it("deletes: then 404, and gone from the list", async () => {
    const { id } = await body(await create({ url: "https://gone.example.com/", events: ["*"] }));
    const res = await t.request(`/v1/webhook_endpoints/${id}`, { method: "DELETE" });
    expect(await body(res)).toEqual({ id, object: "webhook_endpoint", deleted: true });
    expect((await t.request(`/v1/webhook_endpoints/${id}`)).status).toBe(404);
    const list = await body(await t.request("/v1/webhook_endpoints?limit=100"));
    expect((list.data as Array<{ id: string }>).some((e) => e.id === id)).toBe(false);
  });

  it("documents the routes in the OpenAPI document", async () => {
    const doc = (await (await t.app.request("/openapi.json")).json()) as { paths: Record<string, unknown> };
    for (const p of [
      "/v1/webhook_endpoints",
      "/v1/webhook_endpoints/{id}",
      "/v1/webhook_endpoints/{id}/rotate_secret",
      "/v1/webhook_endpoints/{id}/test",
      "/v1/webhook_endpoints/{id}/deliveries",
      "/v1/webhook_deliveries/{id}/replay",
    ]) {
      expect(doc.paths, p).toHaveProperty([p]);
    }
  });
});

/** The same app with an external-mode configuration (http refused), sharing the database. */
async function externalApp(): Promise<Pick<TestApp, "request">> {
  const { createApp } = await import("../../functions/app.ts");
  const config = { ...t.config, mode: "external" as const };
  const app = createApp({ ...t.deps, config });
  return {
    request: (path, init = {}) =>
      Promise.resolve(
        app.request(path, {
          ...init,
          headers: { authorization: `Bearer ${t.apiKey}`, "content-type": "application/json" },
          body: JSON.stringify(init.json),
        }),
      ),
  };
}
