import { and, eq, gt, isNull, lt, notExists, or } from "drizzle-orm";
import type { Config } from "../../core/config/load-config.ts";
import type { Database } from "../../core/db/database.ts";
import { jobQueueOutbox, jobs } from "../../core/db/schema.ts";
import { appendJobEvent } from "../../core/jobs/job-events.ts";
import { IllegalTransitionError, transitionJob } from "../../core/jobs/state-machine.ts";
import type { Logger } from "../../core/log/logger.ts";
import { enqueueJobMessage } from "../../core/queue/job-queue-outbox.ts";
import { expireIdempotencyKeys } from "../jobs/idempotency.ts";
import { startPollLoop, type PollLoop } from "./poll-loop.ts";

export interface SweeperDeps {
  db: Database;
  logger: Logger;
}

export interface SweepOptions {
  /** A queued job whose newest message went out longer ago than this (and has none pending) gets a new one. */
  resendAfterMs: number;
  /** A `cancelling` job whose runner's lease ran out this long ago is cancelled by the sweeper. */
  abandonedCancelAfterMs: number;
  idempotencyTtlMs: number;
  now?: Date;
}

export interface SweepPass {
  requeued: string[];
  cancelled: string[];
  expiredKeys: number;
}

const SWEEP_BATCH = 100;

/**
 * Repairs what the happy path cannot: a message lost after it was sent (queue purged, moved to the DLQ while
 * the job stayed queued, a region outage) gets a new intent for the relay — one per `resendAfterMs` at most,
 * so a job waiting behind busy runners collects a duplicate now and then, which the runner's claim drops;
 * a cancellation whose runner died is completed; expired idempotency keys are forgotten.
 */
export async function sweepJobQueue(deps: SweeperDeps, opts: SweepOptions): Promise<SweepPass> {
  const now = opts.now ?? new Date();
  const cutoff = new Date(now.getTime() - opts.resendAfterMs);
  const recentOrPending = (jobId: typeof jobs.id) =>
    deps.db
      .select({ id: jobQueueOutbox.id })
      .from(jobQueueOutbox)
      .where(
        and(eq(jobQueueOutbox.jobId, jobId), or(isNull(jobQueueOutbox.sentAt), gt(jobQueueOutbox.sentAt, cutoff))),
      );
  const lost = await deps.db
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(eq(jobs.status, "queued"), lt(jobs.queuedAt, cutoff), notExists(recentOrPending(jobs.id))))
    .limit(SWEEP_BATCH);

  const requeued: string[] = [];
  for (const { id } of lost) {
    const done = await deps.db.transaction(async (tx) => {
      // Lock the job and look again: a concurrent sweeper or a claim may have acted since the scan.
      const [job] = await tx.select().from(jobs).where(eq(jobs.id, id)).for("update");
      if (!job || job.status !== "queued") return false;
      const [fresh] = await tx
        .select({ id: jobQueueOutbox.id })
        .from(jobQueueOutbox)
        .where(and(eq(jobQueueOutbox.jobId, id), or(isNull(jobQueueOutbox.sentAt), gt(jobQueueOutbox.sentAt, cutoff))))
        .limit(1);
      if (fresh) return false;
      await enqueueJobMessage(tx, { job_id: id, attempt: job.attempts + 1 });
      await appendJobEvent(tx, id, {
        type: "job.requeued",
        level: "warn",
        message: "The job's queue message was not picked up; sending it again.",
      });
      return true;
    });
    if (done) requeued.push(id);
  }

  const abandoned = await deps.db
    .select({ id: jobs.id })
    .from(jobs)
    .where(
      and(
        eq(jobs.status, "cancelling"),
        lt(jobs.cancelRequestedAt, new Date(now.getTime() - opts.abandonedCancelAfterMs)),
        or(isNull(jobs.leaseExpiresAt), lt(jobs.leaseExpiresAt, new Date(now.getTime() - opts.abandonedCancelAfterMs))),
      ),
    )
    .limit(SWEEP_BATCH);
  const cancelled: string[] = [];
  for (const { id } of abandoned) {
    try {
      await transitionJob(deps.db, id, {
        from: "cancelling",
        to: "cancelled",
        event: { type: "job.cancelled", message: "Cancelled; the runner stopped before confirming." },
        extraWhere: or(isNull(jobs.leaseExpiresAt), lt(jobs.leaseExpiresAt, now)),
      });
      cancelled.push(id);
    } catch (err) {
      if (!(err instanceof IllegalTransitionError)) throw err;
    }
  }

  const expiredKeys = await expireIdempotencyKeys(deps.db, opts.idempotencyTtlMs);
  return { requeued, cancelled, expiredKeys };
}

/** Grace a runner gets to confirm a cancellation after its lease ran out. */
export const ABANDONED_CANCEL_AFTER_MS = 60_000;

/** The sweeper as a stack service (runs where the relay runs). */
export function startJobQueueSweeper(ctx: SweeperDeps & { config: Config }): PollLoop | null {
  if (!ctx.config.queue.relayEnabled) return null;
  return startPollLoop({
    name: "jobs-sweeper",
    intervalMs: ctx.config.queue.sweepIntervalMs,
    logger: ctx.logger,
    pass: async () => {
      const r = await sweepJobQueue(ctx, {
        resendAfterMs: ctx.config.queue.resendAfterMs,
        abandonedCancelAfterMs: ABANDONED_CANCEL_AFTER_MS,
        idempotencyTtlMs: ctx.config.queue.idempotencyTtlMs,
      });
      // The relay picks the new intents up at its next poll.
      if (r.requeued.length > 0) ctx.logger.warn({ jobs: r.requeued }, "requeued jobs whose queue message was lost");
      if (r.cancelled.length > 0) ctx.logger.warn({ jobs: r.cancelled }, "completed abandoned cancellations");
      return false;
    },
  });
}
