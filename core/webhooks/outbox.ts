import { sql } from "drizzle-orm";
import type { Queryable } from "../db/database.ts";
import { webhookEvents } from "../db/schema.ts";
import { ID_PREFIX, newId } from "../ids.ts";
import { fitWebhookPayload } from "./payload.ts";

/** Event types a webhook endpoint can subscribe to. */
export const WEBHOOK_EVENT_TYPES = [
  "fine_tuning.job.succeeded",
  "fine_tuning.job.failed",
  "fine_tuning.job.cancelled",
  "fine_tuning.job.running",
  "dataset.ready",
  "dataset.invalid",
  "webhook.test",
  "webhook_endpoint.disabled",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Postgres NOTIFY channel announcing new outbox events; delivered on commit, dropped on rollback. */
export const WEBHOOK_EVENTS_CHANNEL = "guardtune_webhook_events";

/**
 * Writes a webhook event to the outbox. Call it in the same transaction as the state change it announces:
 * the event exists if and only if the change committed. `data` is the full public object (job or dataset)
 * so that receivers need not call back (trimmed to stay under 20 KB, see `fitWebhookPayload`). `endpointId`
 * restricts delivery to one endpoint (a job's own); that endpoint's event filter still applies.
 */
export async function enqueueWebhookEvent(
  db: Queryable,
  event: { tenantId: string; type: WebhookEventType; data: Record<string, unknown>; endpointId?: string | null },
): Promise<string> {
  const id = newId(ID_PREFIX.webhookEvent);
  const createdAt = new Date();
  await db.insert(webhookEvents).values({
    id,
    tenantId: event.tenantId,
    type: event.type,
    endpointId: event.endpointId ?? null,
    payload: {
      ...fitWebhookPayload({
        id,
        type: event.type,
        created_at: Math.floor(createdAt.getTime() / 1000),
        data: event.data,
      }),
    },
    createdAt,
  });
  // Wakes listening dispatchers as soon as the caller's transaction commits (polling is the fallback).
  await db.execute(sql`select pg_notify(${WEBHOOK_EVENTS_CHANNEL}, ${id})`);
  return id;
}
