/** Body-less POSTs sent with `content-type: application/json` and no body behave as if the body were `{}`. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../test/helpers/test-app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const emptyJson = (path: string, headers: Record<string, string> = {}) =>
  t.request(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: "" });

describe("empty JSON bodies", () => {
  // Unknown ids: a 404 shows the empty body passed validation and reached the handler.
  it.each([
    "/v1/datasets/ds_missing/complete",
    "/v1/jobs/ftjob_missing/cancel",
    "/v1/fine_tuning/jobs/ftjob_missing/cancel",
    "/v1/webhook_endpoints/we_missing/rotate_secret",
    "/v1/webhook_endpoints/we_missing/test",
    "/v1/webhook_deliveries/wd_missing/replay",
  ])("POST %s with an empty JSON body is not malformed JSON", async (path) => {
    const variants: Array<Record<string, string>> = [
      {},
      { "content-length": "0" },
      { "content-type": "application/json; charset=utf-8" },
    ];
    for (const headers of variants) {
      const res = await emptyJson(path, headers);
      expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(404);
    }
  });

  it("still refuses malformed JSON, and a required body's fields are still required", async () => {
    const bad = await t.request("/v1/datasets/ds_missing/complete", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"x":',
    });
    expect(bad.status).toBe(400);
    const create = await emptyJson("/v1/jobs");
    expect(create.status).toBe(422);
  });
});
