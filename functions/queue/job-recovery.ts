import { and, eq, gt, isNull, lt, notExists, or, sql, type SQL } from "drizzle-orm";
import type { Database, Queryable } from "../../core/db/database.ts";
import { jobQueueOutbox, jobs } from "../../core/db/schema.ts";
import { appendJobEvent } from "../../core/jobs/job-events.ts";
import { enqueueJobMessage } from "../../core/queue/job-queue-outbox.ts";

/**
 * The one place that decides a job needs a new queue message. Two cases, both written as outbox intents
 * for the relay (never sent from here):
 * - `queued` for longer than `resendAfterMs` — its message was lost after it was sent (queue purged, moved to
 *   the DLQ while the job stayed queued, a region outage);
 * - `running` with a lease that expired more than `abandonedLeaseAfterMs` ago — its runner vanished and its
 *   message is gone too (deleted at the SQS visibility cap of a long job, or dropped as a duplicate in a race).
 * Either gets at most one intent per `resendAfterMs`, so a job waiting behind busy runners collects a
 * duplicate now and then, which the runner's atomic claim drops.
 */
export interface RecoveryOptions {
  resendAfterMs: number;
  abandonedLeaseAfterMs: number;
  now: Date;
  limit: number;
}

export interface Recovered {
  /** Queued jobs whose message was lost. */
  requeued: string[];
  /** Running jobs whose runner vanished. */
  resumed: string[];
}

/** Writes an outbox intent for every job that lost its message (see above); returns the jobs it wrote one for. */
export async function recoverLostJobMessages(db: Database, opts: RecoveryOptions): Promise<Recovered> {
  const cutoff = new Date(opts.now.getTime() - opts.resendAfterMs);
  const lost = {
    queued: and(eq(jobs.status, "queued"), lt(jobs.queuedAt, cutoff))!,
    // Lease times are the database's clock (see claim-job.ts), so the grace is measured against `now()`.
    running: and(
      eq(jobs.status, "running"),
      sql`coalesce(${jobs.leaseExpiresAt}, '-infinity'::timestamptz) < now() - make_interval(secs => ${opts.abandonedLeaseAfterMs / 1000})`,
    )!,
  };
  const requeued = await recoverWhere(db, lost.queued, cutoff, opts.limit, {
    type: "job.requeued",
    level: "warn",
    message: "The job's queue message was not picked up; sending it again.",
  });
  const resumed = await recoverWhere(db, lost.running, cutoff, opts.limit, null);
  return { requeued, resumed };
}

/** Intents sent after `cutoff`, or not sent yet: the job has a message on its way. */
const recentOrPending = (db: Queryable, jobId: string | typeof jobs.id, cutoff: Date) =>
  db
    .select({ id: jobQueueOutbox.id })
    .from(jobQueueOutbox)
    .where(and(eq(jobQueueOutbox.jobId, jobId), or(isNull(jobQueueOutbox.sentAt), gt(jobQueueOutbox.sentAt, cutoff))));

async function recoverWhere(
  db: Database,
  lost: SQL,
  cutoff: Date,
  limit: number,
  event: Parameters<typeof appendJobEvent>[2] | null,
): Promise<string[]> {
  const candidates = await db
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(lost, notExists(recentOrPending(db, jobs.id, cutoff))))
    .limit(limit);
  const recovered: string[] = [];
  for (const { id } of candidates) {
    const done = await db.transaction(async (tx) => {
      // Lock the job and look again: a concurrent sweeper or a claim may have acted since the scan.
      const [job] = await tx
        .select({ attempts: jobs.attempts })
        .from(jobs)
        .where(and(eq(jobs.id, id), lost))
        .for("update");
      if (!job) return false;
      const [fresh] = await recentOrPending(tx, id, cutoff).limit(1);
      if (fresh) return false;
      await enqueueJobMessage(tx, { job_id: id, attempt: job.attempts + 1 });
      if (event) await appendJobEvent(tx, id, event);
      return true;
    });
    if (done) recovered.push(id);
  }
  return recovered;
}
