import { randomBytes } from "node:crypto";
import os from "node:os";
import { startPassLoop, type Loop } from "../../core/background/loop.ts";
import type { Config } from "../../core/config/load-config.ts";
import type { Database } from "../../core/db/database.ts";
import type { WebhookDelivery } from "../../core/db/schema.ts";
import type { Logger } from "../../core/log/logger.ts";
import { claimDueDeliveries } from "./claim-deliveries.ts";
import { fanOutWebhookEvents } from "./fan-out.ts";
import { recordAttempt, type AttemptOutcome, type RecordedStatus } from "./record-attempt.ts";
import type { LookupAll } from "../../core/net/outbound-guard.ts";
import { webhookTargetPolicy } from "../../core/webhooks/webhook-target-policy.ts";
import { attemptDelivery } from "./attempt-delivery.ts";

export interface WebhookDispatcherOptions {
  db: Database;
  config: Pick<Config, "mode" | "webhooks">;
  logger: Logger;
  /** Names this dispatcher's claims; unique per process by default. */
  id?: string;
  lookup?: LookupAll;
  /** Deliveries sent concurrently. */
  batchSize?: number;
  /** How long a claim holds; must outlast a send. Default: the send timeout plus 30 s. */
  leaseMs?: number;
  random?: () => number;
  /** The time claims are made at (their lease runs from it); the wall clock by default. */
  now?: () => Date;
  /** Runs after a request was answered and before the outcome is recorded: where a crash would lose the record. */
  afterSend?: (delivery: WebhookDelivery, outcome: AttemptOutcome) => void | Promise<void>;
}

export interface DispatchSummary {
  fannedOut: number;
  attempted: number;
  succeeded: number;
  retrying: number;
  failed: number;
  /** Attempts whose outcome could not be recorded (their claim expires and they are sent again). */
  unrecorded: number;
  /** Stopped at the round limit with deliveries possibly still due: run again at once. */
  more: boolean;
}

/** A summary of nothing done yet, to count into. */
export const emptyDispatchSummary = (): DispatchSummary => ({
  fannedOut: 0,
  attempted: 0,
  succeeded: 0,
  retrying: 0,
  failed: 0,
  unrecorded: 0,
  more: false,
});

export interface WebhookDispatcher {
  readonly id: string;
  /** Fans out pending events and sends every due delivery until none is due (at most 20 × batchSize sends). */
  runOnce(): Promise<DispatchSummary>;
  /** Runs `runOnce` every poll interval, and at once when woken. */
  start(): Loop;
}

const OUTBOX_BATCH = 100;
const MAX_ROUNDS = 20;
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A webhook dispatcher: fans events out to deliveries and sends due deliveries in a pool of concurrent sends, recording each attempt and its retry. */
export function createWebhookDispatcher(opts: WebhookDispatcherOptions): WebhookDispatcher {
  const { db, logger } = opts;
  const settings = opts.config.webhooks;
  const id = opts.id ?? `${os.hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  const batchSize = opts.batchSize ?? 16;
  const leaseMs = opts.leaseMs ?? settings.timeoutMs + 30_000;
  const delivery = { db, policy: webhookTargetPolicy(opts.config), timeoutMs: settings.timeoutMs, lookup: opts.lookup };
  const retryPolicy = {
    scheduleMs: settings.retryScheduleMs,
    disableAfterMs: settings.disableAfterMs,
    random: opts.random,
  };

  async function processDelivery(row: WebhookDelivery): Promise<RecordedStatus | "unrecorded"> {
    try {
      const outcome = await attemptDelivery(delivery, row);
      await opts.afterSend?.(row, outcome);
      const status = await recordAttempt(db, row, id, outcome, retryPolicy);
      const log = {
        delivery: row.id,
        event: row.eventId,
        attempt: row.attempts,
        status: outcome.statusCode,
        error: outcome.error,
      };
      if (status === "succeeded") logger.debug(log, "webhook delivered");
      else logger.info({ ...log, next: status }, "webhook attempt failed");
      return status;
    } catch (err) {
      logger.error({ err, delivery: row.id }, "webhook attempt not recorded; it is retried when the claim expires");
      return "unrecorded";
    }
  }

  async function runOnce(): Promise<DispatchSummary> {
    const summary = emptyDispatchSummary();
    // A pool of `batchSize` sends: a slot freed by one answer is refilled at once, so a slow receiver holds
    // one slot for up to the timeout instead of holding back everyone else's deliveries.
    const tally = (status: RecordedStatus | "unrecorded") => {
      if (status === "succeeded") summary.succeeded++;
      else if (status === "retrying") summary.retrying++;
      else if (status === "failed") summary.failed++;
      else summary.unrecorded++;
    };
    const inFlight = new Set<Promise<void>>();
    let budget = MAX_ROUNDS * batchSize;
    for (;;) {
      const free = Math.min(batchSize - inFlight.size, budget);
      let idleSlots = false;
      if (free > 0) {
        // Events written meanwhile (e.g. while a slow receiver holds a slot) get their deliveries first.
        for (;;) {
          const n = await fanOutWebhookEvents(db, { limit: OUTBOX_BATCH });
          summary.fannedOut += n;
          if (n < OUTBOX_BATCH) break;
        }
        const claimed = await claimDueDeliveries(db, { dispatcherId: id, limit: free, leaseMs, now: opts.now?.() });
        budget -= claimed.length;
        summary.attempted += claimed.length;
        for (const row of claimed) {
          const send: Promise<void> = processDelivery(row)
            .then(tally)
            .finally(() => inFlight.delete(send));
          inFlight.add(send);
        }
        idleSlots = claimed.length < free;
      }
      if (inFlight.size === 0) break;
      // With slots idle, look again for newly due deliveries while the slow sends go on.
      await Promise.race(idleSlots ? [...inFlight, delay(Math.min(settings.pollIntervalMs, 500))] : inFlight);
    }
    summary.more = budget === 0;
    return summary;
  }

  function start(): Loop {
    return startPassLoop({
      name: "webhook-dispatcher",
      intervalMs: settings.pollIntervalMs,
      logger,
      pass: async () => (await runOnce()).more,
    });
  }

  return { id, runOnce, start };
}
