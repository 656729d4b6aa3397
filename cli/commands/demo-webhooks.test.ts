import { afterEach, describe, expect, it } from "vitest";
import { generateWebhookSecret, webhookHeaders } from "../../functions/webhooks/signing.ts";
import { startDemoReceiver, verifyWebhook, webhookLogLines, type DemoReceiver } from "./demo-webhooks.ts";

const event = {
  id: "msg_01demo",
  type: "fine_tuning.job.failed",
  created_at: 1_796_000_000,
  data: { id: "ftjob_01demo", object: "job", status: "failed", error: { code: "misalignment_gate" } },
};
const body = JSON.stringify(event);

let receiver: DemoReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe("the demo's webhook receiver", () => {
  it("verifies the service's signature and rejects a tampered body or another secret", () => {
    const secret = generateWebhookSecret();
    const headers = webhookHeaders(event.id, body, [secret], new Date());
    expect(verifyWebhook(secret, body, headers)).toEqual(event);
    const tampered = body.replace('"failed"', '"succeeded"');
    expect(() => verifyWebhook(secret, tampered, headers)).toThrow(/No matching signature/);
    expect(() => verifyWebhook(generateWebhookSecret(), body, headers)).toThrow(/No matching signature/);
    // a signature of the right body, replayed with another timestamp
    const later = { ...headers, "webhook-timestamp": String(Number(headers["webhook-timestamp"]) + 1) };
    expect(() => verifyWebhook(secret, body, later)).toThrow(/No matching signature/);
  });

  it("answers 204 to a signed request and 401 to a tampered one over HTTP, and logs both", async () => {
    receiver = await startDemoReceiver();
    const secret = generateWebhookSecret();
    receiver.useSecret(secret);
    const headers = webhookHeaders(event.id, body, [secret], new Date());
    const good = await fetch(receiver.url, { method: "POST", headers, body });
    expect(good.status).toBe(204);
    const bad = await fetch(receiver.url, {
      method: "POST",
      headers,
      body: body.replace("ftjob_01demo", "ftjob_evil"),
    });
    expect(bad.status).toBe(401);
    expect(receiver.received.map((r) => r.verified)).toEqual([true, false]);
    const [ok, rejected] = webhookLogLines(receiver.received);
    expect(ok).toMatch(
      /^✓ verified fine_tuning\.job\.failed\s+ftjob_01demo, failed, error misalignment_gate {2}\(msg_01demo\)$/,
    );
    expect(rejected).toMatch(/^✗ rejected msg_01demo: No matching signature/);
  });

  it("rejects everything before the endpoint is registered (no secret yet)", async () => {
    receiver = await startDemoReceiver();
    const headers = webhookHeaders(event.id, body, [generateWebhookSecret()], new Date());
    expect((await fetch(receiver.url, { method: "POST", headers, body })).status).toBe(401);
    expect(webhookLogLines(receiver.received)[0]).toContain("the endpoint is not registered");
  });
});
