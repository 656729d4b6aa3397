import { and, eq } from "drizzle-orm";
import type { Tenant, WebhookDelivery, WebhookEndpoint } from "../../core/db/schema.ts";
import { webhookDeliveries, webhookEndpoints, webhookEvents } from "../../core/db/schema.ts";
import { conflict, unprocessable } from "../../core/errors.ts";
import { ID_PREFIX, newId } from "../../core/ids.ts";
import { enqueueWebhookEvent } from "../../core/webhooks/outbox.ts";
import { generateWebhookSecret, SECRET_ROTATION_OVERLAP_MS } from "../../core/webhooks/signing.ts";
import { outboundUrlProblem } from "../../core/net/outbound-guard.ts";
import { webhookTargetPolicy } from "../../core/webhooks/webhook-target-policy.ts";
import { toEndpointObject } from "../../core/webhooks/webhook-objects.ts";
import type { AppDeps } from "../deps.ts";
import { getTenantDelivery, getTenantEndpoint } from "./webhook-queries.ts";

/** Refuses URLs the dispatcher would refuse anyway (scheme, credentials, private literal addresses): 422 on `url`. */
function checkUrl(deps: AppDeps, url: string): string {
  const problem = outboundUrlProblem(url, webhookTargetPolicy(deps.config));
  if (problem) throw unprocessable("invalid_webhook_url", `'url' ${problem}.`, "url");
  return new URL(url).href;
}

/** Wakes the embedded dispatcher so new work goes out now rather than at its next poll. */
const wakeDispatcher = (deps: AppDeps) => deps.notify?.("webhook-dispatcher");

export async function createEndpoint(
  deps: AppDeps,
  tenant: Tenant,
  body: { url: string; events: string[]; description?: string | undefined },
): Promise<{ row: WebhookEndpoint; secret: string }> {
  const secret = generateWebhookSecret();
  const [row] = await deps.db
    .insert(webhookEndpoints)
    .values({
      id: newId(ID_PREFIX.webhookEndpoint),
      tenantId: tenant.id,
      url: checkUrl(deps, body.url),
      events: [...new Set(body.events)],
      description: body.description ?? null,
      secret,
    })
    .returning();
  return { row, secret };
}

export async function updateEndpoint(
  deps: AppDeps,
  tenant: Tenant,
  id: string,
  patch: {
    url?: string | undefined;
    events?: string[] | undefined;
    description?: string | null | undefined;
    enabled?: boolean | undefined;
  },
): Promise<WebhookEndpoint> {
  const current = await getTenantEndpoint(deps.db, tenant.id, id);
  const reenabling = patch.enabled === true && !current.enabled;
  const [row] = await deps.db
    .update(webhookEndpoints)
    .set({
      url: patch.url === undefined ? undefined : checkUrl(deps, patch.url),
      events: patch.events === undefined ? undefined : [...new Set(patch.events)],
      description: patch.description,
      enabled: patch.enabled,
      ...(patch.enabled === false && current.enabled
        ? { disabledReason: "Disabled by its owner.", disabledAt: new Date() }
        : {}),
      ...(reenabling ? { disabledReason: null, disabledAt: null, failingSince: null } : {}),
      updatedAt: new Date(),
    })
    .where(eq(webhookEndpoints.id, current.id))
    .returning();
  return row;
}

/** Soft delete: deliveries keep their endpoint id; pending ones are dropped by the dispatcher as not sendable. */
export async function deleteEndpoint(deps: AppDeps, tenant: Tenant, id: string): Promise<void> {
  const current = await getTenantEndpoint(deps.db, tenant.id, id);
  await deps.db
    .update(webhookEndpoints)
    .set({ deletedAt: new Date(), enabled: false, updatedAt: new Date() })
    .where(eq(webhookEndpoints.id, current.id));
}

/** A new secret; the old one keeps signing (both signatures are sent) for 24 hours. */
export async function rotateEndpointSecret(
  deps: AppDeps,
  tenant: Tenant,
  id: string,
): Promise<{ row: WebhookEndpoint; secret: string }> {
  const current = await getTenantEndpoint(deps.db, tenant.id, id);
  const secret = generateWebhookSecret();
  const now = new Date();
  const [row] = await deps.db
    .update(webhookEndpoints)
    .set({
      secret,
      previousSecret: current.secret,
      previousSecretExpiresAt: new Date(now.getTime() + SECRET_ROTATION_OVERLAP_MS),
      updatedAt: now,
    })
    // Guarded on the secret read, so two concurrent rotations cannot both keep the same "previous".
    .where(and(eq(webhookEndpoints.id, current.id), eq(webhookEndpoints.secret, current.secret)))
    .returning();
  if (!row) throw conflict("concurrent_rotation", "The secret was rotated concurrently; fetch the endpoint and retry.");
  return { row, secret };
}

/**
 * Sends a `webhook.test` event to this endpoint only, whatever its event filter: the event and its one
 * delivery are written together, bypassing the fan-out.
 */
export async function sendTestEvent(deps: AppDeps, tenant: Tenant, id: string): Promise<WebhookDelivery> {
  const endpoint = await getTenantEndpoint(deps.db, tenant.id, id);
  if (!endpoint.enabled)
    throw conflict("endpoint_disabled", `Webhook endpoint '${id}' is disabled; enable it first.`, "id");
  const delivery = await deps.db.transaction(async (tx) => {
    const now = new Date();
    const eventId = await enqueueWebhookEvent(tx, {
      tenantId: tenant.id,
      type: "webhook.test",
      endpointId: endpoint.id,
      data: { message: "This is a test event from guardtune.", endpoint: toEndpointObject(endpoint) },
    });
    await tx.update(webhookEvents).set({ fannedOutAt: now }).where(eq(webhookEvents.id, eventId));
    const [row] = await tx
      .insert(webhookDeliveries)
      .values({
        id: newId(ID_PREFIX.webhookDelivery),
        eventId,
        endpointId: endpoint.id,
        tenantId: tenant.id,
        nextAttemptAt: now,
        createdAt: now,
      })
      .returning();
    return row;
  });
  wakeDispatcher(deps);
  return delivery;
}

/**
 * Sends a delivery's event again to the same endpoint as a new delivery (`replay_of` points back). The
 * `webhook-id` is the event id, unchanged, so receivers that already processed it can recognise it.
 */
export async function replayDelivery(deps: AppDeps, tenant: Tenant, id: string): Promise<WebhookDelivery> {
  const original = await getTenantDelivery(deps.db, tenant.id, id);
  const endpoint = await getTenantEndpoint(deps.db, tenant.id, original.endpointId).catch(() => {
    throw conflict("endpoint_deleted", `The endpoint of delivery '${id}' was deleted.`, "id");
  });
  if (!endpoint.enabled) {
    throw conflict(
      "endpoint_disabled",
      `Webhook endpoint '${endpoint.id}' is disabled; enable it before replaying.`,
      "id",
    );
  }
  const now = new Date();
  const [row] = await deps.db
    .insert(webhookDeliveries)
    .values({
      id: newId(ID_PREFIX.webhookDelivery),
      eventId: original.eventId,
      endpointId: endpoint.id,
      tenantId: tenant.id,
      nextAttemptAt: now,
      createdAt: now,
      replayOf: original.id,
    })
    .returning();
  wakeDispatcher(deps);
  return row;
}
