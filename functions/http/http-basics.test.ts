import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "@hono/zod-openapi";
import { revokeApiKey } from "../../core/auth/api-keys.ts";
import { SAFEGUARD_DEFINITIONS } from "../../core/safeguards/safeguard-registry.ts";
import { createTestApp, type TestApp } from "../../test/helpers/test-app.ts";
import { MAX_JSON_BODY_BYTES } from "../app.ts";
import { createRouter } from "./router.ts";

let t: TestApp;
const seenTenants: string[] = [];
beforeAll(async () => {
  t = await createTestApp();
  t.app.get("/v1/test-only/whoami", (c) => {
    seenTenants.push(c.get("tenant").id);
    return c.json({ tenant: c.get("tenant").id });
  });
  // Routes that only exist in this test: one that fails unexpectedly and one with a validated body.
  t.app.get("/v1/test-only/boom", () => {
    throw new Error("kaboom");
  });
  const validated = createRouter();
  validated.openapi(
    {
      method: "post",
      path: "/test-only/validated",
      request: {
        body: {
          content: {
            "application/json": {
              schema: z.object({
                method: z.object({ hyperparameters: z.object({ n_epochs: z.number().int().min(1) }) }),
              }),
            },
          },
        },
      },
      responses: { 200: { description: "ok" } },
    },
    (c) => c.json({ ok: true }, 200),
  );
  t.app.route("/v1", validated);
});
afterAll(() => t.close());

async function problem(res: Response) {
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status: res.status });
  expect(typeof body.type).toBe("string");
  expect(typeof body.title).toBe("string");
  expect(typeof body.detail).toBe("string");
  expect(typeof body.code).toBe("string");
  return body;
}

describe("health", () => {
  it("/healthz answers while the process is up", async () => {
    const res = await t.app.request("/healthz");
    expect(res.status).toBe(200);
  });

  it("/readyz checks the database, the bucket and the queues", async () => {
    const res = await t.app.request("/readyz");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ready" });
  });

  it("/metrics serves Prometheus text with per-route counters", async () => {
    await t.app.request("/healthz");
    const res = await t.app.request("/metrics");
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/http_requests_total\{[^}]*route="\/healthz"/);
  });
});

describe("authentication", () => {
  it.each([
    ["missing", null],
    ["malformed", "not-a-key"],
    ["unknown", "gt_" + "A".repeat(40)],
  ])("rejects a %s key with 401 problem+json", async (_label, key) => {
    const res = await t.request("/v1/jobs", { key });
    expect(res.status).toBe(401);
    const body = await problem(res);
    expect(body.code).toBe("invalid_api_key");
  });

  it.each(["/v1/fine_tuning/jobs", "/v1/files"])(
    "adds OpenAI's error member on the OpenAI-compatible route %s",
    async (route) => {
      const res = await t.request(route, { key: null });
      expect(res.status).toBe(401);
      const body = await problem(res);
      expect(body.error).toEqual({
        message: body.detail,
        type: "authentication_error",
        param: null,
        code: "invalid_api_key",
      });
      const native = (await (await t.request("/v1/jobs", { key: null })).json()) as Record<string, unknown>;
      expect(native.error).toBeUndefined();
    },
  );

  it("rejects a revoked key", async () => {
    const { createApiKey } = await import("../../core/auth/api-keys.ts");
    const created = await createApiKey(t.database.db, { tenant: "acme", name: "to-revoke" });
    expect(
      (
        await t.request("/v1/test-only/validated", {
          method: "POST",
          key: created.key,
          json: { method: { hyperparameters: { n_epochs: 1 } } },
        })
      ).status,
    ).toBe(200);
    await revokeApiKey(t.database.db, created.id);
    const res = await t.request("/v1/jobs", { key: created.key });
    expect(res.status).toBe(401);
    expect((await problem(res)).code).toBe("invalid_api_key");
  });

  it("scopes a valid key to its own tenant", async () => {
    await t.request("/v1/test-only/whoami");
    await t.request("/v1/test-only/whoami", { key: t.otherApiKey });
    expect(seenTenants).toEqual([t.tenantId, t.otherTenantId]);
    expect(t.tenantId).not.toBe(t.otherTenantId);
  });
});

describe("problem+json on every failure", () => {
  it("404 for an unknown route", async () => {
    const res = await t.request("/v1/nothing-here");
    expect(res.status).toBe(404);
    expect((await problem(res)).code).toBe("not_found");
  });

  it("405 with Allow for a known path and wrong method", async () => {
    const res = await t.request("/v1/test-only/validated", { method: "GET" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect((await problem(res)).code).toBe("method_not_allowed");
  });

  it("413 for an oversized JSON body", async () => {
    const res = await t.request("/v1/test-only/validated", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ pad: "x".repeat(MAX_JSON_BODY_BYTES + 10) }),
    });
    expect(res.status).toBe(413);
    expect((await problem(res)).code).toBe("body_too_large");
  });

  it("422 naming the invalid field", async () => {
    const res = await t.request("/v1/test-only/validated", {
      method: "POST",
      json: { method: { hyperparameters: { n_epochs: 0 } } },
    });
    expect(res.status).toBe(422);
    const body = await problem(res);
    expect(body.code).toBe("invalid_request");
    expect(body.param).toBe("method.hyperparameters.n_epochs");
  });

  it("500 without leaking the internal message", async () => {
    const res = await t.request("/v1/test-only/boom");
    expect(res.status).toBe(500);
    const body = await problem(res);
    expect(body.code).toBe("internal_error");
    expect(JSON.stringify(body)).not.toContain("kaboom");
  });
});

describe("/openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const res = await t.app.request("/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string };
    expect(doc.openapi).toBe("3.1.0");
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("documents every registered defense, in requests and in job objects", async () => {
    const doc = (await (await t.app.request("/openapi.json")).json()) as {
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    const typesIn = (schema: unknown) =>
      [...JSON.stringify(schema).matchAll(/"type":\{[^{}]*"(?:const|enum)":\[?"([a-z_]+)"/g)].map((m) => m[1]).sort();
    const registered = SAFEGUARD_DEFINITIONS.map((d) => d.type).sort();
    expect(typesIn(doc.components.schemas.CreateJobRequest.properties.safeguards)).toEqual(registered);
    expect(typesIn(doc.components.schemas.Job.properties.safeguards)).toEqual(registered);
  });

  it("/docs serves the interactive reference", async () => {
    const res = await t.app.request("/docs");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("/openapi.json");
  });
});
