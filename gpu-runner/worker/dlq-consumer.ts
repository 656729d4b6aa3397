import { sql } from "drizzle-orm";
import type { LoopOptions } from "../../core/background/loop.ts";
import type { Database } from "../../core/db/database.ts";
import { jobs } from "../../core/db/schema.ts";
import { IllegalTransitionError, transitionJob } from "../../core/jobs/state-machine.ts";
import type { Logger } from "../../core/log/logger.ts";
import { InvalidJobMessageError, parseJobMessage } from "../../core/queue/job-message.ts";
import type { QueueMessage, SqsQueue } from "../../core/queue/sqs-queue.ts";

/**
 * Consumes the jobs queue's dead-letter queue. A message lands there after `MAX_RECEIVE_COUNT` deliveries
 * that never finished (crashes, retryable failures); its job is ended `failed` with `max_attempts` so that
 * nothing stays `running` forever. A job another runner is actively holding is left alone.
 */
export async function handleDeadLetter(
  db: Database,
  logger: Logger,
  body: string | undefined,
): Promise<"failed" | "skipped" | "invalid"> {
  let jobId: string;
  try {
    jobId = parseJobMessage(body).job_id;
  } catch (err) {
    if (!(err instanceof InvalidJobMessageError)) throw err;
    logger.error({ body: body?.slice(0, 200) }, "dead-letter queue: dropping a message that is not a job message");
    return "invalid";
  }
  try {
    await transitionJob(db, jobId, {
      from: ["queued", "running", "cancelling"],
      to: "failed",
      event: { type: "job.failed", level: "error", message: MAX_ATTEMPTS_MESSAGE, data: { code: "max_attempts" } },
      set: { error: { code: "max_attempts", message: MAX_ATTEMPTS_MESSAGE, param: null } },
      extraWhere: sql`(${jobs.status} = 'queued' or coalesce(${jobs.leaseExpiresAt}, '-infinity'::timestamptz) < now())`,
    });
    logger.warn({ jobId }, "dead-letter queue: job failed after too many attempts");
    return "failed";
  } catch (err) {
    if (err instanceof IllegalTransitionError) return "skipped";
    throw err;
  }
}

export const MAX_ATTEMPTS_MESSAGE =
  "The job was attempted the maximum number of times without finishing (the runner crashed or hit temporary failures each time). The events list each attempt; create the job again, and contact the operator if it keeps happening.";

/** The dead-letter consumer as a loop: receive one dead letter, fail its job, delete it. */
export function deadLetterLoop(deps: {
  db: Database;
  queue: SqsQueue;
  logger: Logger;
  waitSeconds: number;
}): LoopOptions<QueueMessage> {
  return {
    name: "jobs-dlq",
    logger: deps.logger,
    idleMs: deps.waitSeconds === 0 ? 250 : 0,
    fetch: (signal) => deps.queue.receive({ waitSeconds: deps.waitSeconds, visibilitySeconds: 60, signal }),
    handle: async (msg) => {
      await handleDeadLetter(deps.db, deps.logger, msg.body);
      await deps.queue.delete(msg.receiptHandle);
    },
  };
}
