import { and, eq } from "drizzle-orm";
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
