import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookAttempts, webhookDeliveries, webhookEvents } from "../../core/db/schema.ts";
import { fanOutWebhookEvents } from "../../functions/webhooks/fan-out.ts";
import { pruneWebhookHistory } from "../../functions/webhooks/prune-webhook-history.ts";
import { createTestApp, type TestApp } from "../helpers/test-app.ts";
import { createEndpoint, emit } from "./fixtures.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

const DAY = 86_400_000;

async function age(eventId: string, days: number) {
  await t.deps.db
    .update(webhookEvents)
    .set({ createdAt: new Date(Date.now() - days * DAY) })
    .where(eq(webhookEvents.id, eventId));
}

describe("webhook history retention", () => {
  it("deletes old finished events with their deliveries and attempts, and keeps anything still pending", async () => {
    const endpoint = await createEndpoint(t, "http://127.0.0.1:9/hook");
    const delivered = await emit(t, endpoint.id);
    const failed = await emit(t, endpoint.id);
    const pending = await emit(t, endpoint.id);
    const recent = await emit(t, endpoint.id);
    await fanOutWebhookEvents(t.deps.db, { limit: 100 });
    const notFannedOut = await emit(t, endpoint.id);

    const deliveries = await t.deps.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.endpointId, endpoint.id));
    const deliveryOf = (eventId: string) => deliveries.find((d) => d.eventId === eventId)!;
    await t.deps.db
      .update(webhookDeliveries)
      .set({ status: "succeeded" })
      .where(inArray(webhookDeliveries.eventId, [delivered, recent]));
    await t.deps.db.update(webhookDeliveries).set({ status: "failed" }).where(eq(webhookDeliveries.eventId, failed));
    await t.deps.db.insert(webhookAttempts).values({
      id: "wa_prune_test",
      deliveryId: deliveryOf(delivered).id,
      attempt: 1,
      startedAt: new Date(),
      statusCode: 200,
      latencyMs: 5,
    });
    for (const id of [delivered, failed, pending, notFannedOut]) await age(id, 40);
    await age(recent, 2);

    expect(await pruneWebhookHistory(t.deps.db, { olderThanMs: 30 * DAY })).toBe(2);

    const left = await t.deps.db
      .select({ id: webhookEvents.id })
      .from(webhookEvents)
      .where(eq(webhookEvents.tenantId, t.tenantId));
    expect(left.map((e) => e.id).sort()).toEqual([pending, recent, notFannedOut].sort());
    const leftDeliveries = await t.deps.db.select({ eventId: webhookDeliveries.eventId }).from(webhookDeliveries);
    expect(leftDeliveries.map((d) => d.eventId).sort()).toEqual([pending, recent].sort());
    const attempts = await t.deps.db.select({ n: sql<number>`count(*)::int` }).from(webhookAttempts);
    expect(attempts[0].n).toBe(0);
    // Nothing more to prune: a second call deletes nothing.
    expect(await pruneWebhookHistory(t.deps.db, { olderThanMs: 30 * DAY })).toBe(0);
  });
});
