import { DeleteMessageCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../../cli/stack.ts";
import { tenants } from "../../core/db/schema.ts";
import { parseJobMessage } from "../../core/queue/job-message.ts";
import { testConfig } from "../helpers/test-config.ts";
import { insertDataset } from "./job-fixtures.ts";

/** The embedded stack's own wiring: the API wakes the outbox relay, which publishes to the real queue. */
const KEY = "gt_" + "q".repeat(40);
let stack: Stack;

beforeAll(async () => {
  // A long poll interval: only the API's notify can explain a prompt delivery.
  stack = await startStack(testConfig({ GUARDTUNE_BOOTSTRAP_KEY: KEY, GUARDTUNE_QUEUE_RELAY_POLL_INTERVAL: "1h" }), {
    skipServices: ["runner", "uploads", "webhook-dispatcher"],
  });
});
afterAll(async () => stack?.close());

describe("embedded stack jobs queue", () => {
  it("runs the relay and sweeper, and a job created over HTTP reaches SQS promptly", async () => {
    expect(stack.services.map((s) => s.name)).toEqual(expect.arrayContaining(["jobs-outbox", "jobs-sweeper"]));
    const [dev] = await stack.deps.db.select().from(tenants).where(eq(tenants.name, "dev"));
    const dataset = await insertDataset(stack.deps.db, dev.id);
    const res = await fetch(`${stack.url}/v1/jobs`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "guardtune/tiny-random", training_dataset: dataset }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const started = Date.now();
    const got = await stack.deps.aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: stack.deps.aws.jobsQueueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 1 }),
    );
    expect(Date.now() - started).toBeLessThan(5000);
    const [message] = got.Messages ?? [];
    expect(parseJobMessage(message?.Body)).toEqual({ job_id: id, attempt: 1 });
    await stack.deps.aws.sqs.send(
      new DeleteMessageCommand({ QueueUrl: stack.deps.aws.jobsQueueUrl, ReceiptHandle: message.ReceiptHandle }),
    );
  });
});
