import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../../core/db/database.ts";
import { webhookAttempts, webhookDeliveries, webhookEndpoints, type WebhookDelivery } from "../../core/db/schema.ts";
import { newId } from "../../core/ids.ts";
import { disableEndpoint } from "./disable-endpoint.ts";
import { nextRetryDelayMs } from "./retry-schedule.ts";

const ATTEMPT_ID_PREFIX = "wdatt";

/** What happened on one attempt. `statusCode` is null when no response came (refused, timeout, network). */
export interface AttemptOutcome {
  startedAt: Date;
  statusCode: number | null;
  latencyMs: number | null;
  error: string | null;
  /** From `Retry-After` on a 429 or 503. */
  retryAfterMs?: number | null;
  /** No retry whatever the schedule says (the endpoint is gone or disabled). */
  final?: boolean;
}

export interface RetryPolicy {
  scheduleMs: readonly number[];
  disableAfterMs: number;
  random?: () => number;
}

export type RecordedStatus = "succeeded" | "retrying" | "failed" | "lost_claim";

const isSuccess = (code: number | null) => code !== null && code >= 200 && code < 300;

/**
 * Records an attempt and decides what comes next, in one transaction: the attempt row; the delivery
 * succeeded, failed for good, or due again per the retry schedule; the endpoint's failure streak; and
 * disabling the endpoint on 410 Gone or after failing every delivery for `disableAfterMs`. The delivery is
 * updated only while this dispatcher still holds the claim (`lost_claim` otherwise).
 */
export async function recordAttempt(
  db: Database,
  delivery: WebhookDelivery,
  dispatcherId: string,
  outcome: AttemptOutcome,
  policy: RetryPolicy,
  now: Date = new Date(),
): Promise<RecordedStatus> {
  return db.transaction(async (tx) => {
    await tx.insert(webhookAttempts).values({
      id: newId(ATTEMPT_ID_PREFIX),
      deliveryId: delivery.id,
      attempt: delivery.attempts,
      startedAt: outcome.startedAt,
      statusCode: outcome.statusCode,
      latencyMs: outcome.latencyMs,
      error: outcome.error,
    });
    const succeeded = isSuccess(outcome.statusCode);
    const gone = outcome.statusCode === 410;
    const delay =
      succeeded || gone || outcome.final
        ? null
        : nextRetryDelayMs(policy.scheduleMs, delivery.attempts, {
            retryAfterMs: outcome.retryAfterMs,
            random: policy.random,
          });
    const status: RecordedStatus = succeeded ? "succeeded" : delay === null ? "failed" : "retrying";
    const updated = await tx
      .update(webhookDeliveries)
      .set({
        status: status === "retrying" ? "pending" : status,
        nextAttemptAt: delay === null ? null : new Date(now.getTime() + delay),
        claimedBy: null,
        claimedUntil: null,
        lastStatusCode: outcome.statusCode,
        lastError: outcome.error,
        lastLatencyMs: outcome.latencyMs,
        deliveredAt: succeeded ? now : null,
      })
      .where(
        and(
          eq(webhookDeliveries.id, delivery.id),
          eq(webhookDeliveries.claimedBy, dispatcherId),
          eq(webhookDeliveries.status, "pending"),
        ),
      )
      .returning({ id: webhookDeliveries.id });
    if (updated.length === 0) return "lost_claim";
    if (outcome.final) return status;

    if (succeeded) {
      await tx.update(webhookEndpoints).set({ failingSince: null }).where(eq(webhookEndpoints.id, delivery.endpointId));
      return status;
    }
    if (gone) {
      await disableEndpoint(tx, delivery.endpointId, "The receiver answered 410 Gone.", now);
      return status;
    }
    const [endpoint] = await tx
      .update(webhookEndpoints)
      .set({ failingSince: sql`coalesce(${webhookEndpoints.failingSince}, ${now.toISOString()}::timestamptz)` })
      .where(eq(webhookEndpoints.id, delivery.endpointId))
      .returning({ failingSince: webhookEndpoints.failingSince });
    if (endpoint?.failingSince && now.getTime() - endpoint.failingSince.getTime() >= policy.disableAfterMs) {
      const span =
        policy.disableAfterMs >= 86_400_000
          ? `${policy.disableAfterMs / 86_400_000} days`
          : `${policy.disableAfterMs / 1000} s`;
      await disableEndpoint(
        tx as unknown as Database,
        delivery.endpointId,
        `Every delivery failed since ${endpoint.failingSince.toISOString()} (${span} or more).`,
        now,
      );
    }
    return status;
  });
}
