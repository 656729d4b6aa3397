import type { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from "../../core/db/schema.ts";

const unix = (d: Date | null) => (d === null ? null : Math.floor(d.getTime() / 1000));

/** The public shape of an endpoint. The secret is added only by the responses that reveal it. */
export function toEndpointObject(row: WebhookEndpoint) {
  return {
    object: "webhook_endpoint" as const,
    id: row.id,
    url: row.url,
    events: row.events,
    description: row.description,
    enabled: row.enabled,
    disabled_reason: row.disabledReason,
    disabled_at: unix(row.disabledAt),
    /** While set, deliveries are signed with the previous secret too. */
    previous_secret_expires_at:
      row.previousSecret && row.previousSecretExpiresAt && row.previousSecretExpiresAt > new Date()
        ? unix(row.previousSecretExpiresAt)
        : null,
    created_at: unix(row.createdAt)!,
    updated_at: unix(row.updatedAt)!,
  };
}
export type EndpointObject = ReturnType<typeof toEndpointObject>;

/** The public shape of a delivery with its attempt log (oldest first). */
export function toDeliveryObject(row: WebhookDelivery, eventType: string, attempts: readonly WebhookAttempt[]) {
  return {
    object: "webhook_delivery" as const,
    id: row.id,
    endpoint_id: row.endpointId,
    event_id: row.eventId,
    event_type: eventType,
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: row.status === "pending" ? unix(row.nextAttemptAt) : null,
    last_attempt_at: unix(row.lastAttemptAt),
    last_status_code: row.lastStatusCode,
    last_error: row.lastError,
    last_latency_ms: row.lastLatencyMs,
    delivered_at: unix(row.deliveredAt),
    replay_of: row.replayOf,
    created_at: unix(row.createdAt)!,
    attempt_log: attempts.map((a) => ({
      attempt: a.attempt,
      started_at: unix(a.startedAt)!,
      status_code: a.statusCode,
      latency_ms: a.latencyMs,
      error: a.error,
    })),
  };
}
export type DeliveryObject = ReturnType<typeof toDeliveryObject>;
