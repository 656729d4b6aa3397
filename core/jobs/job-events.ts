import { eq, sql } from "drizzle-orm";
import type { Queryable } from "../db/database.ts";
import { jobEvents, jobs, type JobEvent } from "../db/schema.ts";
import { ID_PREFIX, newId } from "../ids.ts";

export interface NewJobEvent {
  type: string;
  level?: "info" | "warn" | "error";
  message?: string;
  step?: number | null;
  data?: Record<string, unknown>;
}

/**
 * Appends an event to a job's log with the next per-job sequence number. The counter lives on the job row
 * and is taken with `UPDATE … RETURNING`, so concurrent writers serialise on that row and the sequence has
 * no gaps or duplicates. Call it inside the transaction of the change the event describes.
 */
export async function appendJobEvent(db: Queryable, jobId: string, event: NewJobEvent): Promise<JobEvent> {
  const [row] = await db
    .update(jobs)
    .set({ eventSeq: sql`${jobs.eventSeq} + 1` })
    .where(eq(jobs.id, jobId))
    .returning({ seq: jobs.eventSeq });
  if (!row) throw new Error(`appendJobEvent: job ${jobId} does not exist`);
  const [inserted] = await db
    .insert(jobEvents)
    .values({
      id: newId(ID_PREFIX.event),
      jobId,
      seq: row.seq,
      type: event.type,
      level: event.level ?? "info",
      message: event.message ?? "",
      step: event.step ?? null,
      data: event.data ?? {},
    })
    .returning();
  return inserted;
}
