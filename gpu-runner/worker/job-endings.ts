import { eq, sql } from "drizzle-orm";
import type { Queryable } from "../../core/db/database.ts";
import { jobs, type JobErrorBody } from "../../core/db/schema.ts";
import { IllegalTransitionError, transitionJob } from "../../core/jobs/state-machine.ts";

/** Only the lease holder may end a job it is running (a runner that lost its lease must not). */
const heldBy = (workerId: string) => sql`${jobs.leaseOwner} = ${workerId}`;

/** Records `cancelled` for a job this runner stopped on request (`running` passes through `cancelling`). */
export async function finishCancelled(db: Queryable, jobId: string, workerId: string): Promise<void> {
  const [row] = await db.select({ status: jobs.status }).from(jobs).where(eq(jobs.id, jobId));
  if (row?.status === "running") {
    await transitionJob(db, jobId, {
      from: "running",
      to: "cancelling",
      event: { type: "job.cancelling", message: "Cancellation requested; stopping at the next step." },
      extraWhere: heldBy(workerId),
    });
  }
  await transitionJob(db, jobId, {
    from: "cancelling",
    to: "cancelled",
    event: { type: "job.cancelled", message: "The job was cancelled; training stopped at a step boundary." },
    extraWhere: heldBy(workerId),
  });
}

/** Ends a job `failed` with an error the user can act on; false when the job already moved on. */
export async function failJob(
  db: Queryable,
  jobId: string,
  workerId: string | null,
  error: JobErrorBody,
): Promise<boolean> {
  try {
    await transitionJob(db, jobId, {
      from: ["queued", "running", "cancelling"],
      to: "failed",
      event: {
        type: "job.failed",
        level: "error",
        message: error.message,
        data: { code: error.code, param: error.param },
      },
      set: { error },
      extraWhere: workerId === null ? undefined : heldBy(workerId),
    });
    return true;
  } catch (err) {
    if (err instanceof IllegalTransitionError) return false;
    throw err;
  }
}
