/**
 * What a hostile tenant would try against judges and outbound requests, row by row: naming runner secrets,
 * pointing requests at the metadata service or private addresses, DNS rebinding, redirects, and judges that
 * answer with oversized, garbled or secret-bearing replies. Each row names what must hold.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config/load-config.ts";
import type { LookupAll, OutboundPolicy } from "../../core/net/outbound-guard.ts";
import { JudgeClient, JudgeError } from "../../gpu-runner/evals/judge-client.ts";
import { createTestApp, type TestApp } from "../helpers/test-app.ts";
import { insertDataset } from "../jobs/job-fixtures.ts";
import type { Problem } from "../../functions/http/problem.ts";

const SECRET = "s3cr3t-value-that-must-not-leave";
const REGISTERED = JSON.stringify([
  { name: "house-judge", base_url: "https://judge.example.com/v1", model: "judge-7b" },
  {
    name: "keyed-judge",
    base_url: "https://api.example.com/v1",
    model: "gpt-4o",
    api_key_env: "GUARDTUNE_JUDGE_KEYED_API_KEY",
  },
]);

let t: TestApp;
let dataset: string;
beforeAll(async () => {
  t = await createTestApp({ GUARDTUNE_JUDGES: REGISTERED });
  dataset = await insertDataset(t.database.db, t.tenantId);
});
afterAll(async () => t?.close());

const createJob = (evaluation: unknown) =>
  t.request("/v1/jobs", {
    method: "POST",
    json: { model: "guardtune/tiny-random", training_dataset: dataset, evaluation },
  });

describe("a job cannot choose where a judge lives or which secret it sends", () => {
  it.each([
    ["a secret database password", { base_url: "https://attacker.example/v1", model: "m", api_key_env: "PGPASSWORD" }],
    [
      "the AWS secret key",
      { base_url: "https://attacker.example/v1", model: "m", api_key_env: "AWS_SECRET_ACCESS_KEY" },
    ],
    ["the metadata service", { base_url: "http://169.254.169.254/latest/meta-data", model: "m" }],
    ["an internal host", { base_url: "http://10.0.0.7:8000/v1", model: "m" }],
    ["a URL as the name", "http://169.254.169.254/v1"],
    ["a variable as the name", "AWS_SECRET_ACCESS_KEY"],
  ])("refuses a judge naming %s (422 at evaluation.broad.judge)", async (_what, judge) => {
    const res = await createJob({ broad: { judge } });
    expect(res.status).toBe(422);
    const problem = (await res.json()) as Problem;
    expect(problem.param).toMatch(/^evaluation\.broad\.judge/);
  });

  it("refuses an unregistered name, listing the registered ones without their URLs", async () => {
    const res = await createJob({ broad: { judge: "not-registered" } });
    expect(res.status).toBe(422);
    const problem = (await res.json()) as Problem;
    expect(problem).toMatchObject({ code: "judge_not_found", param: "evaluation.broad.judge" });
    expect(problem.detail).toContain("house-judge");
    expect(problem.detail).not.toContain("example.com");
  });

  it("accepts a registered name", async () => {
    expect((await createJob({ broad: { judge: "keyed-judge" } })).status).toBe(201);
  });

  it("GET /v1/judges lists names and models only, then the built-in organism judge", async () => {
    const res = await t.request("/v1/judges");
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      object: "list",
      data: [
        { object: "judge", name: "house-judge", model: "judge-7b", built_in: false, for_models: null },
        { object: "judge", name: "keyed-judge", model: "gpt-4o", built_in: false, for_models: null },
        {
          object: "judge",
          name: "organism",
          model: "exact",
          built_in: true,
          for_models: ["guardtune/organism", "guardtune/organism-unaligned"],
        },
      ],
      has_more: false,
      next_cursor: null,
    });
    expect(text).not.toMatch(/example\.com|API_KEY|base_url/);
    expect((await t.request("/v1/judges", { key: null })).status).toBe(401);
  });
});

describe("a job cannot load a model from wherever the runner's own rights reach", () => {
  // This app lists no GUARDTUNE_MODEL_SOURCES: only built-in models may be named.
  it.each([
    ["a runner directory", "file:///etc/"],
    ["the runner's model cache (other tenants' downloads)", "file:///var/lib/guardtune/models/s3/"],
    ["another bucket the service role can read", "s3://other-company-bucket/models/"],
    ["another tenant's prefix in the service bucket", "s3://guardtune/tenants/ten_other/"],
  ])("refuses %s as the base model and as SafeLoRA's unaligned model (422 model_not_allowed)", async (_what, model) => {
    const asBase = await t.request("/v1/jobs", {
      method: "POST",
      json: { model, training_dataset: dataset },
    });
    expect(asBase.status).toBe(422);
    expect((await asBase.json()) as Problem).toMatchObject({ code: "model_not_allowed", param: "model" });
    const asReference = await t.request("/v1/jobs", {
      method: "POST",
      json: {
        model: "guardtune/tiny-random",
        training_dataset: dataset,
        safeguards: [{ type: "safelora", unaligned_model: model }],
      },
    });
    expect(asReference.status).toBe(422);
    const problem = (await asReference.json()) as Problem;
    expect(problem.code).toBe("model_not_allowed");
    expect(problem.param).toMatch(/^safeguards\.0\.unaligned_model/);
    expect(problem.detail).toContain("GUARDTUNE_MODEL_SOURCES");
  });
});

describe("the operator's judge registry refuses what would leak or reach inside", () => {
  const judges = (entry: Record<string, unknown>) =>
    JSON.stringify([{ name: "j", base_url: "https://judge.example.com/v1", model: "m", ...entry }]);
  it.each([
    [{ api_key_env: "PGPASSWORD" }, "GUARDTUNE_JUDGES[0].api_key_env"],
    [{ api_key_env: "AWS_SECRET_ACCESS_KEY" }, "GUARDTUNE_JUDGES[0].api_key_env"],
    [{ api_key_env: "DATABASE_URL" }, "GUARDTUNE_JUDGES[0].api_key_env"],
    [{ api_key_env: "GUARDTUNE_BOOTSTRAP_KEY" }, "GUARDTUNE_JUDGES[0].api_key_env"],
    [{ base_url: "http://169.254.169.254/v1" }, "link-local / cloud metadata"],
    [{ base_url: "http://[fd00:ec2::254]/v1" }, "unique local"],
    [{ base_url: "http://10.1.2.3/v1" }, "private (10.0.0.0/8)"],
    [{ base_url: "http://localhost:8000/v1" }, "localhost"],
  ])("%j → configuration error naming %s", (entry, message) => {
    expect(() => loadConfig({ GUARDTUNE_JUDGES: judges(entry) })).toThrow(message);
  });

  it("lets the operator allow-list a private judge", () => {
    const config = loadConfig({
      GUARDTUNE_JUDGES: judges({ base_url: "http://10.1.2.3/v1", api_key_env: "GUARDTUNE_JUDGE_VLLM_API_KEY" }),
      GUARDTUNE_JUDGE_ALLOWLIST: "10.1.0.0/16",
    });
    expect(config.judges.registered).toHaveLength(1);
  });
});

/** A judge server on loopback that misbehaves as each row asks. */
let server: Server;
let port: number;
let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
let hits = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    req.resume();
    req.on("end", () => handler(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const strict: OutboundPolicy = { allowHttp: true, allowlist: [], allowlistVariable: "GUARDTUNE_JUDGE_ALLOWLIST" };
const loopbackAllowed: OutboundPolicy = { ...strict, allowlist: ["127.0.0.1"] };
const client = (baseUrl: string, policy: OutboundPolicy, lookup?: LookupAll) =>
  new JudgeClient({
    name: "house-judge",
    baseUrl,
    model: "m",
    apiKey: SECRET,
    policy,
    attempts: 2,
    backoffMs: 1,
    maxReplyBytes: 64 * 1024,
    ...(lookup ? { lookup } : {}),
  });
const failure = (c: JudgeClient) =>
  c.judge("q", "a").then(
    () => {
      throw new Error("the judge call should have failed");
    },
    (err: unknown) => err as JudgeError,
  );
const completion = (content: string) =>
  JSON.stringify({ object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content } }] });

describe("judge requests pass the outbound guard", () => {
  it.each([
    ["the metadata service", "http://169.254.169.254/v1"],
    ["IPv6 metadata", "http://[fd00:ec2::254]/v1"],
    ["a private address", "http://10.0.0.7/v1"],
    ["loopback", `http://127.0.0.1:PORT/v1`],
    ["IPv4-mapped loopback", "http://[::ffff:127.0.0.1]/v1"],
    ["carrier-grade NAT", "http://100.64.0.1/v1"],
  ])("never connects to %s", async (_what, url) => {
    hits = 0;
    const err = await failure(client(url.replace("PORT", String(port)), strict));
    expect(err).toBeInstanceOf(JudgeError);
    expect(err.message).toBe("the judge 'house-judge' is at an address the runner may not reach");
    expect(err.retryable).toBe(false);
    expect(hits).toBe(0);
  });

  it("resolves the name at send time and connects to the address it checked (DNS rebinding)", async () => {
    handler = (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(completion("90"));
    // First answer: the allow-listed judge; every later answer: the metadata service.
    let lookups = 0;
    const rebinding: LookupAll = async () => [
      { address: lookups++ === 0 ? "127.0.0.1" : "169.254.169.254", family: 4 },
    ];
    const judge = new JudgeClient({
      name: "house-judge",
      baseUrl: `http://judge.test:${port}/v1`,
      model: "m",
      policy: loopbackAllowed,
      lookup: rebinding,
      concurrency: 1,
      attempts: 1,
    });
    const rate = (judge as unknown as { rate(p: string): Promise<unknown> }).rate.bind(judge);
    expect(await rate("q")).toMatchObject({ score: { kind: "score", value: 90 } });
    // One resolution for that request: the socket did not ask DNS again (it would have got 169.254.169.254).
    expect(lookups).toBe(1);
    hits = 0;
    await expect(rate("q")).rejects.toThrow("is at an address the runner may not reach");
    expect(hits).toBe(0);
  });

  it("does not follow a redirect to an internal address", async () => {
    hits = 0;
    handler = (_req, res) => res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" }).end();
    const err = await failure(client(`http://127.0.0.1:${port}/v1`, loopbackAllowed));
    expect(err.message).toBe("the judge 'house-judge' answered HTTP 302 (redirects are not followed)");
    expect(err.retryable).toBe(false);
    expect(hits).toBe(1);
  });

  it.each([
    ["an oversized reply", () => "x".repeat(1024 * 1024), "sent a reply that is too large"],
    [
      "HTML from a proxy",
      () => "<html><body>502 Bad Gateway</body></html>",
      "sent a reply that is not a chat completion",
    ],
    [
      "JSON of the wrong shape",
      () => JSON.stringify({ choices: "nope" }),
      "sent a reply that is not a chat completion",
    ],
    ["no choices", () => JSON.stringify({ choices: [] }), "sent a reply that is not a chat completion"],
    [
      "a non-string answer",
      () => JSON.stringify({ choices: [{ message: { content: { $gt: 1 } } }] }),
      "not a chat completion",
    ],
  ])("fails cleanly on %s", async (_what, body, message) => {
    handler = (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(body());
    const err = await failure(client(`http://127.0.0.1:${port}/v1`, loopbackAllowed));
    expect(err).toBeInstanceOf(JudgeError);
    expect(err.message).toContain(message);
    expect(err.message).not.toContain("<html>");
  });

  it.each([401, 403, 404, 500, 503])("reports HTTP %i with the judge's name, never the reply body", async (status) => {
    handler = (req, res) =>
      res
        .writeHead(status, { "content-type": "application/json" })
        .end(JSON.stringify({ error: { message: `bad key ${req.headers.authorization}`, env: process.env } }));
    const err = await failure(client(`http://127.0.0.1:${port}/v1`, loopbackAllowed));
    expect(err.message).toBe(`the judge 'house-judge' answered HTTP ${status}`);
    expect(err.message).not.toContain(SECRET);
    expect(err.retryable).toBe(status >= 500);
  });
});
