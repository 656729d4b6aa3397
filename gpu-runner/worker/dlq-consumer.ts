import { sql } from "drizzle-orm";
import type { Database } from "../../core/db/database.ts";
import { jobs } from "../../core/db/schema.ts";
import { IllegalTransitionError, transitionJob } from "../../core/jobs/state-machine.ts";
import type { Logger } from "../../core/log/logger.ts";
import { InvalidJobMessageError, parseJobMessage } from "../../core/queue/job-message.ts";
import type { JobQueue } from "./job-queue.ts";

/**
 * Consumes the jobs queue's dead-letter queue. A message lands there after `maxReceiveCount` deliveries
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

/** Polls the dead-letter queue until stopped. */
export class DeadLetterConsumer {
  #stopping = false;
  #abort = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(private readonly deps: { db: Database; queue: JobQueue; logger: Logger; waitSeconds: number }) {}

  start(): void {
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#abort.abort();
    await this.#loop;
  }

  /** Handles at most one dead letter; false when there was none. */
  async pollOnce(): Promise<boolean> {
    const msg = await this.deps.queue.receive({
      waitSeconds: this.deps.waitSeconds,
      visibilitySeconds: 60,
      signal: this.#abort.signal,
    });
    if (!msg) return false;
    await handleDeadLetter(this.deps.db, this.deps.logger, msg.body);
    await this.deps.queue.delete(msg.receiptHandle);
    return true;
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      try {
        const got = await this.pollOnce();
        if (!got && this.deps.waitSeconds === 0) await new Promise((r) => setTimeout(r, 250));
      } catch (err) {
        if (this.#stopping) break;
        this.deps.logger.warn({ err }, "dead-letter queue: receive failed; retrying");
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
}
