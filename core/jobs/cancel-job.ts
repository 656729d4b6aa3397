import { and, eq, isNull, lt, or, type SQL } from "drizzle-orm";
import type { Queryable } from "../db/database.ts";
import { jobs, type Job } from "../db/schema.ts";
import { IllegalTransitionError, transitionJob } from "./state-machine.ts";

export type CancelOutcome =
  { kind: "cancelled" | "cancelling" | "unchanged"; job: Job } | { kind: "not_found" } | { kind: "finished"; job: Job };

/**
 * Cancels a tenant's job. A job that has not started is cancelled at once (it never runs: the runner's claim
 * needs `queued`); a running one becomes `cancelling` and its runner stops at the next step. Cancelling a
 * cancelled or cancelling job changes nothing. Races with the runner are retried against the new status.
 */
export async function cancelJob(db: Queryable, tenantId: string, jobId: string): Promise<CancelOutcome> {
  for (let tries = 0; tries < 5; tries++) {
    const [job] = await db
      .select()
      .from(jobs)
      .where(and(eq(jobs.id, jobId), eq(jobs.tenantId, tenantId)));
    if (!job) return { kind: "not_found" };
    try {
      switch (job.status) {
        case "validating_files":
        case "queued":
          return {
            kind: "cancelled",
            job: await transitionJob(db, jobId, {
              from: job.status,
              to: "cancelled",
              event: { type: "job.cancelled", message: "Cancelled before it started." },
            }),
          };
        case "running":
          return {
            kind: "cancelling",
            job: await transitionJob(db, jobId, {
              from: "running",
              to: "cancelling",
              event: { type: "job.cancelling", message: "Cancellation requested; stopping at the next step." },
            }),
          };
        case "cancelling":
        case "cancelled":
          return { kind: "unchanged", job };
        case "succeeded":
        case "failed":
          return { kind: "finished", job };
      }
    } catch (err) {
      if (!(err instanceof IllegalTransitionError)) throw err;
      // The status moved under us (a runner claimed or finished the job): decide again.
    }
  }
  throw new Error(`cancelJob: job ${jobId} kept changing status`);
}

/**
 * `cancelling` jobs whose cancellation was requested, and whose runner's lease ran out, more than `graceMs`
 * ago: the runner died before confirming, and nobody else will.
 */
export async function findOrphanedCancels(
  db: Queryable,
  opts: { graceMs: number; now: Date; limit: number },
): Promise<string[]> {
  const before = new Date(opts.now.getTime() - opts.graceMs);
  const rows = await db
    .select({ id: jobs.id })
    .from(jobs)
    .where(
      and(
        eq(jobs.status, "cancelling"),
        lt(jobs.cancelRequestedAt, before),
        or(isNull(jobs.leaseExpiresAt), lt(jobs.leaseExpiresAt, before)),
      ),
    )
    .limit(opts.limit);
  return rows.map((r) => r.id);
}

/**
 * Completes the cancellation of a job whose runner stopped before confirming it — the one transition both
 * the sweeper and a runner's claim use for it. `extraWhere` says why the runner counts as gone (its lease
 * expired); false when the job moved on meanwhile.
 */
export async function finishOrphanedCancel(
  db: Queryable,
  jobId: string,
  opts: { message: string; extraWhere: SQL | undefined },
): Promise<boolean> {
  try {
    await transitionJob(db, jobId, {
      from: "cancelling",
      to: "cancelled",
      event: { type: "job.cancelled", message: opts.message },
      extraWhere: opts.extraWhere,
    });
    return true;
  } catch (err) {
    if (err instanceof IllegalTransitionError) return false;
    throw err;
  }
}
