import type { Database } from "../../core/db/database.ts";
import { webhookAttempts, webhookDeliveries, webhookEndpoints, webhookEvents } from "../../core/db/schema.ts";
import { ID_PREFIX, newId } from "../../core/ids.ts";

/*
 * Webhook history for the admin views: a healthy and a failing endpoint (timeouts and 500s), twelve deliveries
 * each, one attempt per delivery.
 */

export interface SeededAttempt {
  tenantId: string;
  endpointId: string;
  statusCode: number | null;
  latencyMs: number;
  startedAt: Date;
}

const MIN = 60_000;

export async function seedWebhooks(db: Database, tenantIds: string[], now: Date): Promise<SeededAttempt[]> {
  const out: SeededAttempt[] = [];
  const eventRows: (typeof webhookEvents.$inferInsert)[] = [];
  const deliveryRows: (typeof webhookDeliveries.$inferInsert)[] = [];
  const attemptRows: (typeof webhookAttempts.$inferInsert)[] = [];
  for (const [t, tenantId] of tenantIds.slice(0, 2).entries()) {
    const endpointId = newId(ID_PREFIX.webhookEndpoint);
    const failing = t === 1;
    await db.insert(webhookEndpoints).values({
      id: endpointId,
      tenantId,
      url: `https://hooks.example.com/${failing ? "broken" : "ok"}/${t}`,
      events: ["*"],
      secret: `whsec_${"A".repeat(43)}=`,
      failingSince: failing ? new Date(now.getTime() - 3 * 3600_000) : null,
    });
    for (let k = 0; k < 12; k++) {
      const at = new Date(now.getTime() - (k * 97 + 10) * MIN);
      const eventId = `evt_seed_${t}_${k}`;
      eventRows.push({
        id: eventId,
        tenantId,
        type: "fine_tuning.job.succeeded",
        payload: {},
        createdAt: at,
        fannedOutAt: at,
      });
      const deliveryId = `whd_seed_${t}_${k}`;
      const statusCode = failing && k < 6 ? (k % 2 === 0 ? 500 : null) : 200;
      const latencyMs = statusCode === null ? 10_000 : 40 + ((k * 31) % 200) * (failing ? 5 : 1);
      deliveryRows.push({
        id: deliveryId,
        eventId,
        endpointId,
        tenantId,
        status: statusCode === 200 ? "succeeded" : "failed",
        attempts: 1,
        lastAttemptAt: at,
        lastStatusCode: statusCode,
        lastLatencyMs: latencyMs,
        createdAt: at,
        deliveredAt: statusCode === 200 ? at : null,
      });
      attemptRows.push({
        id: `wha_seed_${t}_${k}`,
        deliveryId,
        attempt: 1,
        startedAt: at,
        statusCode,
        latencyMs,
        error: statusCode === null ? "timeout after 10 s" : null,
      });
      out.push({ tenantId, endpointId, statusCode, latencyMs, startedAt: at });
    }
  }
  await db.insert(webhookEvents).values(eventRows);
  await db.insert(webhookDeliveries).values(deliveryRows);
  await db.insert(webhookAttempts).values(attemptRows);
  return out;
}
