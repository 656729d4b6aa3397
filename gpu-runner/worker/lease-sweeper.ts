import type { AwsResources } from "../../core/aws/resources.ts";
import type { Database } from "../../core/db/database.ts";
import { findAbandonedJobs } from "../../core/jobs/claim-job.ts";
import type { Logger } from "../../core/log/logger.ts";
import { sendJobMessage } from "../../core/queue/job-message.ts";

/**
 * Re-sends a message for `running`/`cancelling` jobs whose lease expired long ago. Normally the dead
 * runner's own message returns on its own; this covers a message that is gone (deleted at the SQS
 * visibility cap of a long job, or dropped as a duplicate in a race). Duplicates it creates are harmless:
 * the claim is atomic and later copies are dropped.
 */
export class LeaseSweeper {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> = Promise.resolve(0);

  constructor(
    private readonly deps: {
      db: Database;
      aws: Pick<AwsResources, "sqs" | "jobsQueueUrl">;
      logger: Logger;
      graceSeconds: number;
      intervalMs: number;
    },
  ) {}

  start(): void {
    this.#timer = setInterval(() => {
      this.#running = this.#running.then(() => this.sweepOnce().catch(() => 0));
    }, this.deps.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** Returns how many messages were sent. */
  async sweepOnce(): Promise<number> {
    const abandoned = await findAbandonedJobs(this.deps.db, this.deps.graceSeconds);
    for (const job of abandoned) {
      await sendJobMessage(this.deps.aws, { job_id: job.id, attempt: job.attempts + 1 });
      this.deps.logger.warn({ jobId: job.id }, "lease sweeper: re-sent a message for a job whose runner vanished");
    }
    return abandoned.length;
  }
}
