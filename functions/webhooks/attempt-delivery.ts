import { eq } from "drizzle-orm";
import { resolveOutboundTarget, type LookupAll, type OutboundPolicy } from "../../core/net/outbound-guard.ts";
import { pinnedRequest } from "../../core/net/pinned-request.ts";
import type { Database } from "../../core/db/database.ts";
import { webhookEndpoints, webhookEvents, type WebhookDelivery } from "../../core/db/schema.ts";
import { fitWebhookPayload, type WebhookPayload } from "../../core/webhooks/payload.ts";
import type { AttemptOutcome } from "../../core/webhooks/record-attempt.ts";
import { parseRetryAfter } from "../../core/webhooks/retry-schedule.ts";
import { signingSecrets, webhookHeaders } from "../../core/webhooks/signing.ts";

export interface DeliveryContext {
  db: Database;
  policy: OutboundPolicy;
  timeoutMs: number;
  lookup?: LookupAll;
}

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Makes one attempt of a claimed delivery and says what happened; never throws for receiver-side
 * trouble (refused target, DNS, connection, timeout, non-2xx), which all become the outcome's `error`.
 */
export async function attemptDelivery(ctx: DeliveryContext, delivery: WebhookDelivery): Promise<AttemptOutcome> {
  const startedAt = new Date();
  const failed = (error: string, extra: Partial<AttemptOutcome> = {}): AttemptOutcome => ({
    startedAt,
    statusCode: null,
    latencyMs: null,
    error,
    ...extra,
  });
  const [endpoint] = await ctx.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, delivery.endpointId));
  if (!endpoint || endpoint.deletedAt) return failed("not sent: the endpoint was deleted", { final: true });
  if (!endpoint.enabled) {
    return failed(
      `not sent: the endpoint is disabled${endpoint.disabledReason ? ` (${endpoint.disabledReason})` : ""}`,
      {
        final: true,
      },
    );
  }
  const [event] = await ctx.db.select().from(webhookEvents).where(eq(webhookEvents.id, delivery.eventId));
  if (!event) return failed("not sent: the event no longer exists", { final: true });

  const body = JSON.stringify(fitWebhookPayload(event.payload as unknown as WebhookPayload));
  let url: URL;
  let target;
  try {
    url = new URL(endpoint.url);
    target = await resolveOutboundTarget(url, ctx.policy, ctx.lookup);
  } catch (err) {
    return failed(describe(err));
  }
  const now = new Date();
  const headers = webhookHeaders(event.id, body, signingSecrets(endpoint, now), now);
  const start = performance.now();
  let response;
  try {
    // Receivers answering more than this are cut off: the status code is all that matters.
    response = await pinnedRequest(url, target, { headers, body, timeoutMs: ctx.timeoutMs, maxBodyBytes: 64 * 1024 });
  } catch (err) {
    return failed(`no response from ${target.address}: ${describe(err)}`, {
      latencyMs: Math.round(performance.now() - start),
    });
  }
  const { status } = response;
  const outcome: AttemptOutcome = { startedAt, statusCode: status, latencyMs: response.latencyMs, error: null };
  if (status >= 200 && status < 300) return outcome;
  const snippet = response.body.toString("utf8", 0, 512).replace(/\s+/g, " ").trim().slice(0, 200);
  if (status >= 300 && status < 400) {
    outcome.error = `the receiver answered ${status}; redirects are not followed (location: ${response.headers.location ?? "none"})`;
  } else {
    outcome.error = `the receiver answered ${status}${snippet ? `: ${snippet}` : ""}`;
  }
  if (status === 429 || status === 503) outcome.retryAfterMs = parseRetryAfter(response.headers["retry-after"], now);
  return outcome;
}
