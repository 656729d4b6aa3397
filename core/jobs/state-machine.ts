import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import type { Queryable } from "../db/database.ts";
import { JOB_STATUSES, TERMINAL_JOB_STATUSES, jobs, type Job, type JobStatus, type NewJob } from "../db/schema.ts";
import { enqueueWebhookEvent } from "../webhooks/outbox.ts";
import { appendJobEvent, type NewJobEvent } from "./job-events.ts";
import { toJobObject } from "./job-object.ts";
import { enqueueJobMessage } from "../queue/job-queue-outbox.ts";

export { JOB_STATUSES, TERMINAL_JOB_STATUSES, type JobStatus };
export type JobRow = Job;

/**
 * Every status change a job may make. `running → running` is a runner re-claiming a job whose lease
 * expired (its previous runner died); `running → queued` is a runner handing a job back (drain, retryable
 * failure) so that the next message starts a new attempt. Terminal states have no way out.
 */
export const LEGAL_TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  validating_files: ["queued", "failed", "cancelled"],
  queued: ["running", "cancelled", "failed"],
  running: ["running", "queued", "cancelling", "succeeded", "failed"],
  cancelling: ["cancelled", "failed"],
  succeeded: [],
  failed: [],
  cancelled: [],
};

export const isTerminalStatus = (s: JobStatus): boolean => TERMINAL_JOB_STATUSES.includes(s);

export function isLegalTransition(from: JobStatus, to: JobStatus): boolean {
  return LEGAL_TRANSITIONS[from].includes(to);
}

/** The job was not in any of the expected states (or the pair is not a legal transition at all). */
export class IllegalTransitionError extends Error {
  override readonly name = "IllegalTransitionError";
  constructor(
    readonly jobId: string,
    readonly from: readonly JobStatus[],
    readonly to: JobStatus,
    /** The status the job actually had; null when the job does not exist. */
    readonly actual: JobStatus | null,
  ) {
    super(
      actual === null
        ? `job ${jobId} does not exist (wanted ${from.join("|")} → ${to})`
        : `job ${jobId} is ${actual}; cannot move ${from.join("|")} → ${to}`,
    );
  }
}

export interface TransitionOptions {
  from: JobStatus | readonly JobStatus[];
  to: JobStatus;
  event: Pick<NewJobEvent, "type" | "message" | "level" | "data" | "step">;
  /** Further columns to write with the status (error, result, lease, …). */
  set?: Partial<NewJob>;
  /** An extra guard (e.g. a lease check); when it fails the transition fails like a status mismatch. */
  extraWhere?: SQL;
}

/**
 * The one way to change a job's status: a guarded `UPDATE … WHERE status IN (from)` plus the event, in one
 * transaction (joining the caller's when `db` is one). Entering `queued` writes the queue intent (outbox);
 * entering a terminal state, or `running` for the first time, writes the webhook event `fine_tuning.job.<status>`
 * with the job's API object.
 */
export async function transitionJob(db: Queryable, jobId: string, opts: TransitionOptions): Promise<JobRow> {
  const from: readonly JobStatus[] = typeof opts.from === "string" ? [opts.from] : opts.from;
  const legalFrom = from.filter((f) => isLegalTransition(f, opts.to));
  if (legalFrom.length === 0) throw new IllegalTransitionError(jobId, from, opts.to, await currentStatus(db, jobId));

  return db.transaction(async (tx) => {
    const guard = and(eq(jobs.id, jobId), inArray(jobs.status, [...legalFrom]), opts.extraWhere);
    const [row] = await tx
      .update(jobs)
      .set({ ...timestampsFor(opts.to), ...opts.set, status: opts.to, updatedAt: new Date() })
      .where(guard)
      .returning();
    if (!row) throw new IllegalTransitionError(jobId, from, opts.to, await currentStatus(tx, jobId));

    await appendJobEvent(tx, jobId, {
      ...opts.event,
      data: { ...opts.event.data, status: opts.to },
    });
    if (opts.to === "queued") await enqueueJobMessage(tx, { job_id: row.id, attempt: row.attempts + 1 });
    // The event bumped `event_seq`; return the row as it is now.
    const current: JobRow = { ...row, eventSeq: row.eventSeq + 1 };
    // Receivers hear once that training started (the first claim), not on every resume after a crash.
    const firstStart = opts.to === "running" && row.attempts === 1;
    if (isTerminalStatus(opts.to) || firstStart) {
      await enqueueWebhookEvent(tx, {
        tenantId: row.tenantId,
        type: `fine_tuning.job.${opts.to as "running" | "succeeded" | "failed" | "cancelled"}`,
        data: toJobObject(current),
        endpointId: row.webhookEndpointId,
      });
    }
    return current;
  });
}

function timestampsFor(to: JobStatus): PgUpdateSetSource<typeof jobs> {
  switch (to) {
    case "queued":
      return { queuedAt: new Date() };
    case "running":
      // A re-claim keeps the first start time.
      return { startedAt: sql`coalesce(${jobs.startedAt}, now())` };
    case "cancelling":
      return { cancelRequestedAt: new Date() };
    case "succeeded":
    case "failed":
    case "cancelled":
      return { finishedAt: new Date(), leaseOwner: null, leaseExpiresAt: null };
    default:
      return {};
  }
}

async function currentStatus(db: Queryable, jobId: string): Promise<JobStatus | null> {
  const [row] = await db.select({ status: jobs.status }).from(jobs).where(eq(jobs.id, jobId));
  return row?.status ?? null;
}
