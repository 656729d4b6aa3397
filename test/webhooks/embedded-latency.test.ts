import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STACK_SERVICES } from "../../cli/services.ts";
import { startStack, type Stack } from "../../cli/stack.ts";
import { ensureTenant } from "../../core/auth/api-keys.ts";
import { transitionJob } from "../../core/jobs/state-machine.ts";
import { createLogger } from "../../core/log/logger.ts";
import { testConfig } from "../helpers/test-config.ts";
import { insertDataset, insertJob } from "../jobs/job-fixtures.ts";
import { startReceiver, verifyWith, type Receiver } from "./receiver.ts";

/**
 * A job's completion travels through the embedded stack to a verifying receiver: the state change writes
 * the outbox event in its transaction, and the stack's dispatcher, woken by the commit's NOTIFY (nothing
 * else wakes it, as when the runner finishes a job), sends it. The poll interval is set long so that only
 * the LISTEN path can explain a fast delivery. Measures the latency from just before the committing
 * transition to the receiver's arrival.
 */
const POLL_MS = 5000;
let stack: Stack;
let receiver: Receiver;

beforeAll(async () => {
  const skipServices = STACK_SERVICES.map(([name]) => name).filter((name) => name !== "webhook-dispatcher");
  stack = await startStack(testConfig({ GUARDTUNE_WEBHOOK_POLL_INTERVAL: `${POLL_MS}ms` }), {
    skipServices,
    logger: createLogger("silent"),
  });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await stack?.close();
});

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

describe("job completion → webhook through the embedded stack", () => {
  it("reaches a verifying receiver without waiting for a poll; latency measured", async () => {
    expect(stack.services.map((s) => s.name)).toEqual(["webhook-dispatcher"]);
    const res = await fetch(`${stack.url}/v1/webhook_endpoints`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.bootstrapKey}`, "content-type": "application/json" },
      body: JSON.stringify({ url: receiver.url, events: ["fine_tuning.job.succeeded"] }),
    });
    expect(res.status).toBe(201);
    const endpoint = (await res.json()) as { id: string; secret: string };
    const db = stack.deps.db;
    const tenantId = (await ensureTenant(db, "dev")).id;
    const datasetId = await insertDataset(db, tenantId);

    const measure = async (): Promise<number> => {
      const job = await insertJob(db, tenantId, datasetId, "running", { webhookEndpointId: endpoint.id });
      const before = receiver.received.length;
      const start = Date.now();
      await transitionJob(db, job.id, {
        from: "running",
        to: "succeeded",
        event: { type: "job.succeeded", message: "done" },
      });
      await receiver.waitFor(before + 1, POLL_MS + 5000);
      const got = receiver.received[before];
      const body = verifyWith(endpoint.secret, got);
      expect(body).toMatchObject({ type: "fine_tuning.job.succeeded", data: { id: job.id, status: "succeeded" } });
      expect(got.headers["webhook-id"]).toBe(body.id);
      return got.receivedAt - start;
    };

    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) latencies.push(await measure());
    const stats = `n=${latencies.length} p50=${percentile(latencies, 50)} ms p95=${percentile(latencies, 95)} ms max=${Math.max(...latencies)} ms`;
    console.log(`webhook latency, job state change → verifying receiver (embedded stack, PGlite): ${stats}`);
    expect(Math.max(...latencies)).toBeLessThan(POLL_MS);
  });
});
