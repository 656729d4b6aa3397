import { and, asc, eq, inArray, isNull, lte, or, sql } from "drizzle-orm";
import type { Database } from "../../core/db/database.ts";
import { webhookDeliveries, type WebhookDelivery } from "../../core/db/schema.ts";

/**
 * Claims up to `limit` due deliveries for one dispatcher: the due rows are picked with
 * `FOR UPDATE SKIP LOCKED` and stamped with the dispatcher's id and a lease in the same statement, so two
 * dispatchers never get the same row. `attempts` counts the attempt being made. A dispatcher that dies
 * before recording the outcome leaves the claim to expire; the delivery is then claimed again and resent
 * with the same `webhook-id` (at least once). The lease must outlast a send (timeout plus margin).
 */
export async function claimDueDeliveries(
  db: Database,
  opts: { dispatcherId: string; limit: number; leaseMs: number; now?: Date },
): Promise<WebhookDelivery[]> {
  const now = opts.now ?? new Date();
  const due = db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.status, "pending"),
        lte(webhookDeliveries.nextAttemptAt, now),
        or(isNull(webhookDeliveries.claimedUntil), lte(webhookDeliveries.claimedUntil, now)),
      ),
    )
    .orderBy(asc(webhookDeliveries.nextAttemptAt))
    .limit(opts.limit)
    .for("update", { skipLocked: true });
  return db
    .update(webhookDeliveries)
    .set({
      claimedBy: opts.dispatcherId,
      claimedUntil: new Date(now.getTime() + opts.leaseMs),
      attempts: sql`${webhookDeliveries.attempts} + 1`,
      lastAttemptAt: now,
    })
    .where(and(inArray(webhookDeliveries.id, due), eq(webhookDeliveries.status, "pending")))
    .returning();
}
