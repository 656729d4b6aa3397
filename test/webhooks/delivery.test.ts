import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createApiKey } from "../../core/auth/api-keys.ts";
import { webhookDeliveries, webhookEndpoints, webhookEvents } from "../../core/db/schema.ts";
import { fanOutWebhookEvents } from "../../functions/webhooks/fan-out.ts";
import { enqueueWebhookEvent } from "../../core/webhooks/outbox.ts";
import { startWebhookDispatcherService } from "../../functions/webhooks/dispatcher-service.ts";
import { dispatchWebhooksFor } from "../../functions/webhooks/scheduled-dispatch.ts";
import type { TestApp } from "../helpers/test-app.ts";
import { createEndpoint, deliveriesOf, dispatcher, emit, endpointRow, sleep, webhookSuite } from "./fixtures.ts";
import { freePort, verifyWith } from "./receiver.ts";

let t: TestApp;
const { receiver } = webhookSuite((app) => (t = app));

describe("webhook delivery to a verifying receiver", () => {
  it("delivers a signed event the standardwebhooks client verifies, and records the attempt", async () => {
    const r = await receiver();
    const ep = await createEndpoint(t, r.url);
    const job = { id: "ftjob_1", object: "fine_tuning.job", status: "succeeded", fine_tuned_model: "ft:qwen:acme:1" };
    const eventId = await emit(t, ep.id, "fine_tuning.job.succeeded", job);
    const summary = await dispatcher(t).runOnce();
    expect(summary).toMatchObject({ succeeded: 1, failed: 0, unrecorded: 0 });
    const [got] = await r.waitFor(1);
    const verified = verifyWith(ep.secret, got);
    expect(verified).toMatchObject({ id: eventId, type: "fine_tuning.job.succeeded", data: job });
    expect(got.headers["webhook-id"]).toBe(eventId);
    expect(got.headers["content-type"]).toBe("application/json");
    expect(Math.abs(Number(got.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(5);

    const list = (await (await t.request(`/v1/webhook_endpoints/${ep.id}/deliveries`)).json()) as {
      data: Array<Record<string, unknown>>;
    };
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({
      status: "succeeded",
      attempts: 1,
      last_status_code: 204,
      event_id: eventId,
      next_attempt_at: null,
    });
    expect(list.data[0].attempt_log).toEqual([expect.objectContaining({ attempt: 1, status_code: 204, error: null })]);
    expect(Number(list.data[0].last_latency_ms)).toBeGreaterThanOrEqual(0);
  });

  it("retries while the receiver is down, then delivers with the same webhook-id", async () => {
    const port = await freePort();
    const ep = await createEndpoint(t, `http://127.0.0.1:${port}/hooks`);
    const eventId = await emit(t, ep.id);
    const d = dispatcher(t);
    expect(await d.runOnce()).toMatchObject({ retrying: 1 });
    const [down] = await deliveriesOf(t, ep.id);
    expect(down).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: null });
    expect(down.lastError).toMatch(/ECONNREFUSED/);
    expect(down.nextAttemptAt!.getTime() - down.lastAttemptAt!.getTime()).toBeGreaterThanOrEqual(180);

    const r = await receiver(port);
    let calls = 0;
    r.respond = () => (++calls === 1 ? { status: 500, body: "database is restarting" } : { status: 200 });
    await sleep(250);
    expect(await d.runOnce()).toMatchObject({ retrying: 1 });
    await sleep(250);
    expect(await d.runOnce()).toMatchObject({ succeeded: 1 });
    expect(r.received.map((g) => g.headers["webhook-id"])).toEqual([eventId, eventId]);
    for (const g of r.received) verifyWith(ep.secret, g);
    const [done] = await deliveriesOf(t, ep.id);
    expect(done).toMatchObject({ status: "succeeded", attempts: 3, lastStatusCode: 200 });
  });

  it("gives up after the last scheduled attempt and shows the failure", async () => {
    const r = await receiver();
    r.respond = () => ({ status: 500, body: "nope" });
    const ep = await createEndpoint(t, r.url);
    await emit(t, ep.id);
    const d = dispatcher(t);
    for (let i = 0; i < 6; i++) {
      await d.runOnce();
      await sleep(230);
    }
    expect(r.received).toHaveLength(4); // the schedule has four entries
    const list = (await (await t.request(`/v1/webhook_endpoints/${ep.id}/deliveries?status=failed`)).json()) as {
      data: Array<{ status: string; attempts: number; attempt_log: Array<{ status_code: number; error: string }> }>;
    };
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({ status: "failed", attempts: 4 });
    expect(list.data[0].attempt_log.map((a) => a.status_code)).toEqual([500, 500, 500, 500]);
    expect(list.data[0].attempt_log[0].error).toBe("the receiver answered 500: nope");
  });

  it("disables the endpoint on 410 Gone and stops sending to it", async () => {
    const r = await receiver();
    r.respond = () => ({ status: 410 });
    const ep = await createEndpoint(t, r.url);
    await emit(t, ep.id);
    expect(await dispatcher(t).runOnce()).toMatchObject({ failed: 1 });
    const row = await endpointRow(t, ep.id);
    expect(row.enabled).toBe(false);
    expect(row.disabledReason).toMatch(/410/);
    const announced = await t.deps.db
      .select()
      .from(webhookEvents)
      .where(and(eq(webhookEvents.tenantId, t.tenantId), eq(webhookEvents.type, "webhook_endpoint.disabled")));
    expect(announced.map((e) => (e.payload.data as { id: string }).id)).toContain(ep.id);

    // New events are not fanned out to it, and its deliveries cannot be replayed until it is re-enabled.
    await emit(t, ep.id);
    await dispatcher(t).runOnce();
    expect(r.received).toHaveLength(1);
    const deliveries = await deliveriesOf(t, ep.id);
    expect(deliveries.map((d) => d.status)).toEqual(["failed"]);
    const replay = await t.request(`/v1/webhook_deliveries/${deliveries[0].id}/replay`, { method: "POST" });
    expect(replay.status).toBe(409);
    expect(((await replay.json()) as { code: string }).code).toBe("endpoint_disabled");
  });

  it("drops a pending retry once its endpoint is deleted, without sending", async () => {
    const r = await receiver();
    r.respond = () => ({ status: 500 });
    const ep = await createEndpoint(t, r.url);
    await emit(t, ep.id);
    await dispatcher(t).runOnce();
    expect((await t.request(`/v1/webhook_endpoints/${ep.id}`, { method: "DELETE" })).status).toBe(200);
    await sleep(250);
    await dispatcher(t).runOnce();
    expect(r.received).toHaveLength(1);
    const [dropped] = await deliveriesOf(t, ep.id);
    expect(dropped).toMatchObject({ status: "failed", attempts: 2, lastError: "not sent: the endpoint was deleted" });
  });

  it("honours Retry-After on 429", async () => {
    const r = await receiver();
    let calls = 0;
    r.respond = () => (++calls === 1 ? { status: 429, headers: { "retry-after": "1" } } : { status: 204 });
    const ep = await createEndpoint(t, r.url);
    await emit(t, ep.id);
    const d = dispatcher(t);
    await d.runOnce();
    const [waiting] = await deliveriesOf(t, ep.id);
    expect(waiting.nextAttemptAt!.getTime() - waiting.lastAttemptAt!.getTime()).toBeGreaterThanOrEqual(1000);
    // Poll far more often than Retry-After: the schedule alone would retry after 200 ms.
    while (r.received.length < 2) {
      await sleep(50);
      await d.runOnce();
    }
    expect(r.received[1].receivedAt - r.received[0].receivedAt).toBeGreaterThanOrEqual(1000);
  });

  it("signs with both secrets during a rotation's overlap, then only the new one", async () => {
    const r = await receiver();
    const ep = await createEndpoint(t, r.url);
    const rotated = (await (
      await t.request(`/v1/webhook_endpoints/${ep.id}/rotate_secret`, { method: "POST" })
    ).json()) as { secret: string };
    await emit(t, ep.id);
    await dispatcher(t).runOnce();
    const [during] = await r.waitFor(1);
    expect(during.headers["webhook-signature"].split(" ")).toHaveLength(2);
    verifyWith(ep.secret, during);
    verifyWith(rotated.secret, during);

    await t.deps.db
      .update(webhookEndpoints)
      .set({ previousSecretExpiresAt: new Date(Date.now() - 1) })
      .where(eq(webhookEndpoints.id, ep.id));
    await emit(t, ep.id);
    await dispatcher(t).runOnce();
    const [, after] = await r.waitFor(2);
    verifyWith(rotated.secret, after);
    expect(() => verifyWith(ep.secret, after)).toThrow(/No matching signature/);
  });

  it("replays a delivery with the same webhook-id, and sends test events whatever the filter", async () => {
    const r = await receiver();
    const ep = await createEndpoint(t, r.url, ["dataset.ready"]);
    const test = (await (await t.request(`/v1/webhook_endpoints/${ep.id}/test`, { method: "POST" })).json()) as {
      id: string;
      event_id: string;
    };
    await dispatcher(t).runOnce();
    const [first] = await r.waitFor(1);
    expect(verifyWith(ep.secret, first)).toMatchObject({ id: test.event_id, type: "webhook.test" });

    const res = await t.request(`/v1/webhook_deliveries/${test.id}/replay`, { method: "POST" });
    expect(res.status).toBe(202);
    const replay = (await res.json()) as { id: string; replay_of: string; status: string; event_id: string };
    expect(replay).toMatchObject({ replay_of: test.id, status: "pending", event_id: test.event_id });
    await dispatcher(t).runOnce();
    const [, second] = await r.waitFor(2);
    expect(second.headers["webhook-id"]).toBe(first.headers["webhook-id"]);
    verifyWith(ep.secret, second);
    const got = (await (await t.request(`/v1/webhook_deliveries/${replay.id}`)).json()) as { status: string };
    expect(got.status).toBe("succeeded");
  });
});

describe("as a scheduled function", () => {
  it("keeps polling for its budget, so a quick retry goes out in the same invocation", async () => {
    const r = await receiver();
    let calls = 0;
    r.respond = () => (++calls === 1 ? { status: 502 } : { status: 200 });
    const ep = await createEndpoint(t, r.url);
    const eventId = await emit(t, ep.id);
    const config = { ...t.config, webhooks: { ...t.config.webhooks, pollIntervalMs: 50 } };
    const summary = await dispatchWebhooksFor({ ...t.deps, config }, 1500);
    expect(summary).toMatchObject({ fannedOut: 1, retrying: 1, succeeded: 1 });
    expect(r.received.map((g) => g.headers["webhook-id"])).toEqual([eventId, eventId]);
  });
});

describe("as a service", () => {
  it("is woken by committed outbox events (LISTEN/NOTIFY), not by rolled-back ones", async () => {
    const r = await receiver();
    const ep = await createEndpoint(t, r.url);
    const config = { ...t.config, webhooks: { ...t.config.webhooks, pollIntervalMs: 60_000 } };
    const service = (await startWebhookDispatcherService({ ...t.deps, config, listen: t.database.listen }))!;
    try {
      await sleep(200); // the first pass runs at start; from now on only a wake-up sends anything
      await t.deps.db
        .transaction(async (tx) => {
          await enqueueWebhookEvent(tx, {
            tenantId: t.tenantId,
            type: "dataset.ready",
            data: { id: "file_x" },
            endpointId: ep.id,
          });
          tx.rollback();
        })
        .catch(() => undefined);
      await sleep(300);
      expect(r.received).toHaveLength(0);
      const start = Date.now();
      const eventId = await emit(t, ep.id);
      // Polling alone would take 60 s: arriving well before that means the commit woke the dispatcher.
      const [got] = await r.waitFor(1, 30_000);
      expect(got.headers["webhook-id"]).toBe(eventId);
      expect(got.receivedAt - start).toBeLessThan(30_000);
    } finally {
      await service.close();
    }
  });
});

describe("fan-out and the failing-endpoint rule", () => {
  it("sends an event naming an endpoint (a job's own) to that endpoint only, and other tenants' to none", async () => {
    const tenant = await createApiKey(t.deps.db, { tenant: "hooli" });
    const own = await createEndpoint(t, "https://own.example.com/", ["*"], tenant.key);
    const other = await createEndpoint(t, "https://other.example.com/", ["*"], tenant.key);
    const picky = await createEndpoint(t, "https://picky.example.com/", ["dataset.ready"], tenant.key);
    await emit(t, own.id, "fine_tuning.job.failed", { id: "ftjob_3" }, tenant.tenantId);
    await emit(t, null, "dataset.ready", { id: "file_3" }, tenant.tenantId);
    await emit(t, null, "dataset.ready", { id: "file_4" }, t.tenantId); // another tenant's
    await fanOutWebhookEvents(t.deps.db);
    const types = async (id: string) =>
      (
        await t.deps.db
          .select({ type: webhookEvents.type })
          .from(webhookDeliveries)
          .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
          .where(eq(webhookDeliveries.endpointId, id))
      )
        .map((r) => r.type)
        .sort();
    expect(await types(own.id)).toEqual(["dataset.ready", "fine_tuning.job.failed"]);
    expect(await types(other.id)).toEqual(["dataset.ready"]);
    expect(await types(picky.id)).toEqual(["dataset.ready"]);
  });

  it("routes by event filter, announces an endpoint disabled after failing for the configured time", async () => {
    const tenant = await createApiKey(t.deps.db, { tenant: "initech" });
    const failing = await receiver();
    failing.respond = () => ({ status: 503 });
    const watcher = await receiver();
    const a = await createEndpoint(t, failing.url, ["*"], tenant.key);
    const b = await createEndpoint(t, watcher.url, ["webhook_endpoint.disabled"], tenant.key);
    const d = dispatcher(t, { config: { ...t.config, webhooks: { ...t.config.webhooks, disableAfterMs: 300 } } });

    await emit(t, null, "fine_tuning.job.failed", { id: "ftjob_2", status: "failed" }, tenant.tenantId);
    await d.runOnce();
    expect(failing.received).toHaveLength(1);
    expect(watcher.received).toHaveLength(0); // not subscribed to job events
    expect((await endpointRow(t, a.id)).failingSince).not.toBeNull();
    await sleep(350);
    await d.runOnce(); // the retry fails too, 350 ms into the streak: disabled
    expect(failing.received).toHaveLength(2);
    const row = await endpointRow(t, a.id);
    expect(row.enabled).toBe(false);
    expect(row.disabledReason).toMatch(/^Every delivery failed since/);
    await d.runOnce();
    const [notice] = await watcher.waitFor(1);
    expect(verifyWith(b.secret, notice)).toMatchObject({
      type: "webhook_endpoint.disabled",
      data: { id: a.id, enabled: false, object: "webhook_endpoint" },
    });
    expect(notice.body).not.toContain(a.secret);
  });
});
