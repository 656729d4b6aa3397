import type { Queryable } from "../db/database.ts";
import { webhookEvents } from "../db/schema.ts";
import { ID_PREFIX, newId } from "../ids.ts";

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

/**
 * Writes a webhook event to the outbox. Call it in the same transaction as the state change it announces:
 * the event exists if and only if the change committed. `data` is the full public object (job or dataset)
 * so that receivers need not call back. `endpointId` restricts delivery to one endpoint (a job's own).
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
    payload: { id, type: event.type, created_at: Math.floor(createdAt.getTime() / 1000), data: event.data },
    createdAt,
  });
  return id;
}
