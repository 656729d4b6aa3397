import type { Queryable } from "../db/database.ts";
import { jobQueueOutbox } from "../db/schema.ts";
import { jobMessageSchema, type JobMessage } from "./job-message.ts";

/**
 * Records the intent to publish a job message, in the caller's transaction: the message exists if and only
 * if the change that queued the job committed. The relay (`functions/queue/job-queue-relay.ts`) sends it.
 */
export async function enqueueJobMessage(db: Queryable, msg: JobMessage): Promise<number> {
  const body = jobMessageSchema.parse(msg);
  const [row] = await db
    .insert(jobQueueOutbox)
    .values({ jobId: body.job_id, attempt: body.attempt, body })
    .returning({ id: jobQueueOutbox.id });
  return row.id;
}
