/** The paper table's client retries reads and keyed creates over dropped connections, and never an HTTP error. */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { RetryingApiClient } from "./api-client.ts";

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

/** A real server that drops the first `drops` connections, then answers with `status`; records what it saw. */
async function flakyServer(drops: number, status = 200) {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    if (seen.length <= drops) {
      req.socket.destroy();
      return;
    }
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify({ n: seen.length }));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { api: new RetryingApiClient(url, "gt_test"), seen };
}

describe("RetryingApiClient", () => {
  it("retries a GET whose connection dropped", async () => {
    const { api, seen } = await flakyServer(2);
    expect(await api.call<{ n: number }>("GET", "/v1/jobs/x")).toEqual({ n: 3 });
    expect(seen).toHaveLength(3);
  });

  it("retries a create under one Idempotency-Key", async () => {
    const { api, seen } = await flakyServer(1);
    expect(await api.create<{ n: number }>("/v1/jobs", { model: "m" })).toEqual({ n: 2 });
    const keys = seen.map((r) => r.headers["idempotency-key"]);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
  });

  it("does not retry an HTTP error, nor a plain POST", async () => {
    const { api, seen } = await flakyServer(0, 422);
    await expect(api.call("GET", "/v1/jobs/x")).rejects.toThrow("GET /v1/jobs/x → 422");
    expect(seen).toHaveLength(1);
    const flaky = await flakyServer(1);
    await expect(flaky.api.call("POST", "/v1/datasets", {})).rejects.toThrow("POST /v1/datasets failed on the network");
    expect(flaky.seen).toHaveLength(1);
  });
});
