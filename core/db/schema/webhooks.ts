import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt, defaultNowTs, ts } from "./columns.ts";
import { tenants } from "./tenants.ts";

export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    events: jsonb("events").$type<string[]>().notNull(),
    description: text("description"),
    enabled: boolean("enabled").notNull().default(true),
    /** Needed in clear to sign; `whsec_` + base64 of 32 random bytes. */
    secret: text("secret").notNull(),
    /** After a rotation the old secret also signs until it expires (24 h). */
    previousSecret: text("previous_secret"),
    previousSecretExpiresAt: ts("previous_secret_expires_at"),
    disabledReason: text("disabled_reason"),
    disabledAt: ts("disabled_at"),
    /** Start of the current run of consecutive failures; null after any success. */
    failingSince: ts("failing_since"),
    createdAt: createdAt(),
    updatedAt: defaultNowTs("updated_at"),
    deletedAt: ts("deleted_at"),
  },
  (t) => [index("webhook_endpoints_tenant_idx").on(t.tenantId, t.id)],
);

/**
 * The outbox: one row per event, written in the same transaction as the state change that caused it.
 * The dispatcher fans each event out into deliveries for the endpoints that subscribe to it.
 */
export const webhookEvents = pgTable(
  "webhook_events",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    /** Only this endpoint receives the event when set (a job's own `webhook.endpoint_id`). */
    endpointId: text("endpoint_id"),
    /** The exact body receivers get: `{ id, type, created_at, data }`. */
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    fannedOutAt: ts("fanned_out_at"),
  },
  (t) => [
    index("webhook_events_pending_idx")
      .on(t.createdAt)
      .where(sql`${t.fannedOutAt} is null`),
  ],
);

export const WEBHOOK_DELIVERY_STATUSES = ["pending", "succeeded", "failed"] as const;

export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    eventId: text("event_id")
      .notNull()
      .references(() => webhookEvents.id, { onDelete: "cascade" }),
    endpointId: text("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    tenantId: text("tenant_id").notNull(),
    status: text("status").$type<(typeof WEBHOOK_DELIVERY_STATUSES)[number]>().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: ts("next_attempt_at"),
    /** A dispatcher holds a delivery until this time while it sends it. */
    claimedBy: text("claimed_by"),
    claimedUntil: ts("claimed_until"),
    lastAttemptAt: ts("last_attempt_at"),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    lastLatencyMs: integer("last_latency_ms"),
    createdAt: createdAt(),
    deliveredAt: ts("delivered_at"),
    /** Set on a delivery made by replaying another one (same event, same `webhook-id`). */
    replayOf: text("replay_of"),
  },
  (t) => [
    index("webhook_deliveries_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'pending'`),
    index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.id),
    // admin_webhook_health: each endpoint's backlog and its deliveries that ended in the last 24 h.
    index("webhook_deliveries_pending_endpoint_idx")
      .on(t.endpointId)
      .where(sql`${t.status} = 'pending'`),
    index("webhook_deliveries_succeeded_at_idx")
      .on(t.endpointId, sql`coalesce(${t.deliveredAt}, ${t.lastAttemptAt}, ${t.createdAt})`)
      .where(sql`${t.status} = 'succeeded'`),
    index("webhook_deliveries_failed_at_idx")
      .on(t.endpointId, sql`coalesce(${t.lastAttemptAt}, ${t.createdAt})`)
      .where(sql`${t.status} = 'failed'`),
  ],
);

export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    id: text("id").primaryKey(),
    deliveryId: text("delivery_id")
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    startedAt: ts("started_at").notNull(),
    statusCode: integer("status_code"),
    latencyMs: integer("latency_ms"),
    error: text("error"),
  },
  (t) => [
    index("webhook_attempts_delivery_idx").on(t.deliveryId, t.attempt),
    // The admin webhook rollup reads the last 30 days of attempts.
    index("webhook_attempts_started_at_idx").on(t.startedAt),
  ],
);

export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
export type WebhookEvent = typeof webhookEvents.$inferSelect;
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;
export type WebhookAttempt = typeof webhookAttempts.$inferSelect;
