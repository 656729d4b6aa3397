import { isNull, lt, or } from "drizzle-orm";
import type { Config } from "../../core/config/load-config.ts";
import type { Database } from "../../core/db/database.ts";
import { jobs } from "../../core/db/schema.ts";
import { startPassLoop, type Loop } from "../../core/background/loop.ts";
import { findOrphanedCancels, finishOrphanedCancel } from "../../core/jobs/cancel-job.ts";
import type { Logger } from "../../core/log/logger.ts";
import { jobMessageVisibilitySeconds } from "../../core/queue/job-message.ts";
import { expireIdempotencyKeys } from "../jobs/idempotency.ts";
import { recoverLostJobMessages } from "./job-recovery.ts";

export interface SweeperDeps {
  db: Database;
  logger: Logger;
}

export interface SweepOptions {
  /** A queued job whose newest message went out longer ago than this (and has none pending) gets a new one. */
  resendAfterMs: number;
  /** A `cancelling` job whose runner's lease ran out this long ago is cancelled by the sweeper. */
  abandonedCancelAfterMs: number;
  /** A `running` job whose lease ran out this long ago gets a new message (its runner vanished). */
  abandonedLeaseAfterMs?: number;
  idempotencyTtlMs: number;
  now?: Date;
}

export interface SweepPass {
  requeued: string[];
  /** Running jobs whose runner vanished: a new message lets the next runner resume them. */
  resumed: string[];
  cancelled: string[];
  expiredKeys: number;
}

const SWEEP_BATCH = 100;

/**
 * Repairs what the happy path cannot: lost messages get a new outbox intent (`recoverLostJobMessages`), a
 * cancellation whose runner died is completed, expired idempotency keys are forgotten.
 */
export async function sweepJobQueue(deps: SweeperDeps, opts: SweepOptions): Promise<SweepPass> {
  const now = opts.now ?? new Date();
  const { requeued, resumed } = await recoverLostJobMessages(deps.db, {
    resendAfterMs: opts.resendAfterMs,
    abandonedLeaseAfterMs: opts.abandonedLeaseAfterMs ?? opts.resendAfterMs,
    now,
    limit: SWEEP_BATCH,
  });
  const cancelled: string[] = [];
  for (const id of await findOrphanedCancels(deps.db, {
    graceMs: opts.abandonedCancelAfterMs,
    now,
    limit: SWEEP_BATCH,
  })) {
    const done = await finishOrphanedCancel(deps.db, id, {
      message: "Cancelled; the runner stopped before confirming.",
      extraWhere: or(isNull(jobs.leaseExpiresAt), lt(jobs.leaseExpiresAt, now)),
    });
    if (done) cancelled.push(id);
  }
  const expiredKeys = await expireIdempotencyKeys(deps.db, opts.idempotencyTtlMs);
  return { requeued, resumed, cancelled, expiredKeys };
}

/** Grace a runner gets to confirm a cancellation after its lease ran out. */
export const ABANDONED_CANCEL_AFTER_MS = 60_000;

/**
 * How long a running job's lease must have been expired before the sweeper sends it a new message: two
 * message visibility periods, by which time the dead runner's own message, if it still exists, has returned.
 */
export const abandonedLeaseAfterMs = (leaseMs: number): number => 2 * jobMessageVisibilitySeconds(leaseMs) * 1000;

/** The sweeper as a background loop (runs where the relay runs). */
export function startJobQueueSweeper(ctx: SweeperDeps & { config: Config }): Loop | null {
  if (!ctx.config.queue.relayEnabled) return null;
  return startPassLoop({
    name: "jobs-sweeper",
    intervalMs: ctx.config.queue.sweepIntervalMs,
    logger: ctx.logger,
    pass: async () => {
      const r = await sweepJobQueue(ctx, {
        resendAfterMs: ctx.config.queue.resendAfterMs,
        abandonedCancelAfterMs: ABANDONED_CANCEL_AFTER_MS,
        abandonedLeaseAfterMs: abandonedLeaseAfterMs(ctx.config.runner.leaseMs),
        idempotencyTtlMs: ctx.config.queue.idempotencyTtlMs,
      });
      // The relay picks the new intents up at its next poll.
      if (r.requeued.length > 0) ctx.logger.warn({ jobs: r.requeued }, "requeued jobs whose queue message was lost");
      if (r.resumed.length > 0) ctx.logger.warn({ jobs: r.resumed }, "re-sent messages for jobs whose runner vanished");
      if (r.cancelled.length > 0) ctx.logger.warn({ jobs: r.cancelled }, "completed abandoned cancellations");
      return false;
    },
  });
}
