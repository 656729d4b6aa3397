import { and, asc, desc, eq, inArray, isNull, lt } from "drizzle-orm";
import type { Queryable } from "../../core/db/database.ts";
import {
  webhookAttempts,
  webhookDeliveries,
  webhookEndpoints,
  webhookEvents,
  type WebhookDelivery,
  type WebhookEndpoint,
} from "../../core/db/schema.ts";
import { notFound } from "../../core/errors.ts";
import { toDeliveryObject, type DeliveryObject } from "./webhook-objects.ts";

export interface Page<T> {
  rows: T[];
  hasMore: boolean;
  nextCursor: string | null;
}

const page = <T extends { id: string }>(rows: T[], limit: number): Page<T> => {
  const hasMore = rows.length > limit;
  const kept = rows.slice(0, limit);
  return { rows: kept, hasMore, nextCursor: hasMore ? kept[kept.length - 1].id : null };
};

/** A tenant's endpoint; another tenant's or a deleted one is indistinguishable from a missing one: 404. */
export async function getTenantEndpoint(db: Queryable, tenantId: string, id: string): Promise<WebhookEndpoint> {
  const [row] = await db
    .select()
    .from(webhookEndpoints)
    .where(
      and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.tenantId, tenantId), isNull(webhookEndpoints.deletedAt)),
    );
  if (!row) throw notFound("webhook endpoint", id, "id");
  return row;
}

/** Newest first; ids sort by creation time, so the cursor is the last id of the previous page. */
export async function listTenantEndpoints(
  db: Queryable,
  tenantId: string,
  q: { limit: number; after?: string | undefined },
): Promise<Page<WebhookEndpoint>> {
  const rows = await db
    .select()
    .from(webhookEndpoints)
    .where(
      and(
        eq(webhookEndpoints.tenantId, tenantId),
        isNull(webhookEndpoints.deletedAt),
        q.after ? lt(webhookEndpoints.id, q.after) : undefined,
      ),
    )
    .orderBy(desc(webhookEndpoints.id))
    .limit(q.limit + 1);
  return page(rows, q.limit);
}

/** One of a tenant's webhook deliveries; 404 when it does not exist or belongs to another tenant. */
export async function getTenantDelivery(db: Queryable, tenantId: string, id: string): Promise<WebhookDelivery> {
  const [row] = await db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.tenantId, tenantId)));
  if (!row) throw notFound("webhook delivery", id, "id");
  return row;
}

/** An endpoint's deliveries, newest first. */
export async function listEndpointDeliveries(
  db: Queryable,
  endpointId: string,
  q: { limit: number; after?: string | undefined; status?: WebhookDelivery["status"] | undefined },
): Promise<Page<WebhookDelivery>> {
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.endpointId, endpointId),
        q.status ? eq(webhookDeliveries.status, q.status) : undefined,
        q.after ? lt(webhookDeliveries.id, q.after) : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.id))
    .limit(q.limit + 1);
  return page(rows, q.limit);
}

/** Public delivery objects with their event types and attempt logs, in two queries for the whole page. */
export async function toDeliveryObjects(db: Queryable, rows: readonly WebhookDelivery[]): Promise<DeliveryObject[]> {
  if (rows.length === 0) return [];
  const eventIds = [...new Set(rows.map((r) => r.eventId))];
  const events = await db
    .select({ id: webhookEvents.id, type: webhookEvents.type })
    .from(webhookEvents)
    .where(inArray(webhookEvents.id, eventIds));
  const attempts = await db
    .select()
    .from(webhookAttempts)
    .where(
      inArray(
        webhookAttempts.deliveryId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(asc(webhookAttempts.attempt), asc(webhookAttempts.startedAt));
  const typeOf = new Map(events.map((e) => [e.id, e.type]));
  return rows.map((row) =>
    toDeliveryObject(
      row,
      typeOf.get(row.eventId) ?? "unknown",
      attempts.filter((a) => a.deliveryId === row.id),
    ),
  );
}
