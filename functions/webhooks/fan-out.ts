import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import type { Database } from "../../core/db/database.ts";
import {
  webhookDeliveries,
  webhookEndpoints,
  webhookEvents,
  type WebhookEndpoint,
  type WebhookEvent,
} from "../../core/db/schema.ts";
import { ID_PREFIX, newId } from "../../core/ids.ts";

/** Whether an endpoint receives an event: subscribed to its type (or `*`), and the one named if any. */
export function endpointReceives(
  endpoint: Pick<WebhookEndpoint, "id" | "events">,
  event: Pick<WebhookEvent, "type" | "endpointId">,
): boolean {
  if (event.endpointId !== null && event.endpointId !== endpoint.id) return false;
  return endpoint.events.includes("*") || endpoint.events.includes(event.type);
}

/**
 * Turns outbox events into deliveries, one per enabled endpoint that receives it, due now. Events are
 * locked with `FOR UPDATE SKIP LOCKED` and marked fanned out in the same transaction, so concurrent
 * dispatchers split the events between them and each event is fanned out exactly once. Returns the
 * number of events handled (the caller loops while it equals `limit`).
 */
export async function fanOutWebhookEvents(db: Database, opts: { limit?: number; now?: Date } = {}): Promise<number> {
  const limit = opts.limit ?? 100;
  const now = opts.now ?? new Date();
  return db.transaction(async (tx) => {
    const events = await tx
      .select()
      .from(webhookEvents)
      .where(isNull(webhookEvents.fannedOutAt))
      .orderBy(asc(webhookEvents.createdAt))
      .limit(limit)
      .for("update", { skipLocked: true });
    if (events.length === 0) return 0;
    const tenantIds = [...new Set(events.map((e) => e.tenantId))];
    const endpoints = await tx
      .select()
      .from(webhookEndpoints)
      .where(
        and(
          inArray(webhookEndpoints.tenantId, tenantIds),
          eq(webhookEndpoints.enabled, true),
          isNull(webhookEndpoints.deletedAt),
        ),
      );
    const deliveries = events.flatMap((event) =>
      endpoints
        .filter((endpoint) => endpoint.tenantId === event.tenantId && endpointReceives(endpoint, event))
        .map((endpoint) => ({
          id: newId(ID_PREFIX.webhookDelivery),
          eventId: event.id,
          endpointId: endpoint.id,
          tenantId: event.tenantId,
          nextAttemptAt: now,
          createdAt: now,
        })),
    );
    if (deliveries.length > 0) await tx.insert(webhookDeliveries).values(deliveries);
    await tx
      .update(webhookEvents)
      .set({ fannedOutAt: now })
      .where(
        inArray(
          webhookEvents.id,
          events.map((e) => e.id),
        ),
      );
    return events.length;
  });
}
