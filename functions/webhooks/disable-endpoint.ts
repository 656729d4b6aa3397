import { and, eq } from "drizzle-orm";
import type { Queryable } from "../../core/db/database.ts";
import { webhookEndpoints } from "../../core/db/schema.ts";
import { enqueueWebhookEvent } from "../../core/webhooks/outbox.ts";
import { toEndpointObject } from "./webhook-objects.ts";

/**
 * Disables an endpoint the dispatcher gave up on (410 Gone, or failing for days) and announces it with a
 * `webhook_endpoint.disabled` event to the tenant's other subscribed endpoints. Does nothing when the
 * endpoint is already disabled, so the event is written once.
 */
export async function disableEndpoint(db: Queryable, endpointId: string, reason: string, now: Date): Promise<boolean> {
  const [row] = await db
    .update(webhookEndpoints)
    .set({ enabled: false, disabledReason: reason, disabledAt: now, updatedAt: now })
    .where(and(eq(webhookEndpoints.id, endpointId), eq(webhookEndpoints.enabled, true)))
    .returning();
  if (!row) return false;
  await enqueueWebhookEvent(db, {
    tenantId: row.tenantId,
    type: "webhook_endpoint.disabled",
    data: { ...toEndpointObject(row) },
  });
  return true;
}
