import { and, eq, inArray, sql } from "drizzle-orm";
import type { Queryable } from "../../core/db/database.ts";
import { jobs, type Job, type JobStatus } from "../../core/db/schema.ts";
import { finishOrphanedCancel } from "../../core/jobs/cancel-job.ts";
import { appendJobEvent } from "../../core/jobs/job-events.ts";
import { IllegalTransitionError, isTerminalStatus, transitionJob } from "../../core/jobs/state-machine.ts";

/**
 * The runner's side of the job lease. A runner owns a job while `lease_owner` names it and
 * `lease_expires_at` (database time) lies in the future; it extends the lease on a timer and a job whose
 * lease expired may be claimed again by any runner (the previous one died). All times are the database's
 * `now()`, so runners on machines with skewed clocks still agree.
 */
export interface LeaseHolder {
  workerId: string;
  leaseSeconds: number;
}

export type ClaimOutcome =
  /** This runner now owns the job. `resumed` when an earlier attempt had started it. */
  | { kind: "claimed"; job: Job; resumed: boolean }
  /** The job has ended (or just ended here: a `cancelling` job whose runner died); the message is spent. */
  | { kind: "ended"; status: JobStatus }
  /** Another runner holds a live lease: the message is a duplicate. */
  | { kind: "leased"; owner: string | null; expiresAt: Date | null }
  /** Not yet claimable (`validating_files`) or no such job. */
  | { kind: "not_claimable"; status: JobStatus | null };

const leaseUntil = (seconds: number) => sql`now() + make_interval(secs => ${seconds})` as unknown as Date;
/** A lease is expired when its end is in the past; a missing end counts as expired. */
const leaseExpired = sql`coalesce(${jobs.leaseExpiresAt}, '-infinity'::timestamptz) < now()`;

/**
 * Claims a job atomically: `queued`, or `running` with an expired lease (`running → running` in the
 * transition table), becomes `running` owned by `holder`, with `attempts + 1` and a `job.claimed` event.
 * Two runners racing on the same job: exactly one `UPDATE` matches. A `cancelling` job whose runner died
 * is finished as `cancelled` here, since nobody else would.
 */
export async function claimJob(db: Queryable, jobId: string, holder: LeaseHolder): Promise<ClaimOutcome> {
  try {
    const job = await transitionJob(db, jobId, {
      from: ["queued", "running"],
      to: "running",
      event: {
        type: "job.claimed",
        message: `Runner ${holder.workerId} started the job.`,
        data: { worker: holder.workerId },
      },
      set: {
        leaseOwner: holder.workerId,
        leaseExpiresAt: leaseUntil(holder.leaseSeconds),
        attempts: sql`${jobs.attempts} + 1` as unknown as number,
      },
      extraWhere: sql`(${jobs.status} = 'queued' or ${leaseExpired})`,
    });
    return { kind: "claimed", job, resumed: job.attempts > 1 };
  } catch (err) {
    if (!(err instanceof IllegalTransitionError)) throw err;
  }
  const [row] = await db.select().from(jobs).where(eq(jobs.id, jobId));
  if (!row) return { kind: "not_claimable", status: null };
  if (isTerminalStatus(row.status)) return { kind: "ended", status: row.status };
  if (row.status === "cancelling") {
    const finished = await finishOrphanedCancel(db, jobId, {
      message: "The job was cancelled (its runner had stopped).",
      extraWhere: leaseExpired,
    });
    if (finished) return { kind: "ended", status: "cancelled" };
  }
  if (row.status === "running" || row.status === "cancelling") {
    return { kind: "leased", owner: row.leaseOwner, expiresAt: row.leaseExpiresAt };
  }
  return { kind: "not_claimable", status: row.status };
}

export interface LeaseState {
  status: JobStatus;
  cancelRequested: boolean;
  expiresAt: Date;
}

/**
 * Extends the lease while `holder` still owns it; null when it does not (expired and taken by another
 * runner, or the job ended): the caller must stop working on the job.
 */
export async function renewJobLease(db: Queryable, jobId: string, holder: LeaseHolder): Promise<LeaseState | null> {
  const [row] = await db
    .update(jobs)
    .set({ leaseExpiresAt: leaseUntil(holder.leaseSeconds) })
    .where(
      and(eq(jobs.id, jobId), eq(jobs.leaseOwner, holder.workerId), inArray(jobs.status, ["running", "cancelling"])),
    )
    .returning({ status: jobs.status, cancelRequestedAt: jobs.cancelRequestedAt, leaseExpiresAt: jobs.leaseExpiresAt });
  if (!row || !row.leaseExpiresAt) return null;
  return {
    status: row.status,
    cancelRequested: row.status === "cancelling" || row.cancelRequestedAt !== null,
    expiresAt: row.leaseExpiresAt,
  };
}

/**
 * Gives the lease up without ending the job (drain, retryable failure): the job stays `running` with an
 * expired lease, so the next delivery of its message claims it at once and resumes from the last checkpoint.
 */
export async function releaseJobLease(
  db: Queryable,
  jobId: string,
  holder: Pick<LeaseHolder, "workerId">,
  event: { type: string; message: string; data?: Record<string, unknown> },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(jobs)
      .set({ leaseExpiresAt: sql`now() - interval '1 second'` as unknown as Date, leaseOwner: null })
      .where(
        and(eq(jobs.id, jobId), eq(jobs.leaseOwner, holder.workerId), inArray(jobs.status, ["running", "cancelling"])),
      )
      .returning({ id: jobs.id });
    if (!row) return false;
    await appendJobEvent(tx, jobId, { type: event.type, level: "warn", message: event.message, data: event.data });
    return true;
  });
}
