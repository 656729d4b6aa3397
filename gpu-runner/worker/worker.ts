import { eq } from "drizzle-orm";
import { runOnce, startLoop, type Loop, type LoopOptions } from "../../core/background/loop.ts";
import type { Database } from "../../core/db/database.ts";
import { jobs } from "../../core/db/schema.ts";
import { IllegalTransitionError, isTerminalStatus } from "../../core/jobs/state-machine.ts";
import type { Logger } from "../../core/log/logger.ts";
import { InvalidJobMessageError, jobMessageVisibilitySeconds, parseJobMessage } from "../../core/queue/job-message.ts";
import { SQS_MAX_WAIT_SECONDS, type QueueMessage, type SqsQueue } from "../../core/queue/sqs-queue.ts";
import { claimJob, releaseJobLease, renewJobLease, type LeaseHolder } from "./claim-job.ts";
import { classifyFailure, retryDelaySeconds } from "./failure.ts";
import { finishCancelled, failJob } from "./job-endings.ts";
import { JobLease } from "./job-lease.ts";
import type { JobRunner, StopReason } from "./job-run.ts";

export interface WorkerSettings {
  workerId: string;
  leaseMs: number;
  pollWaitMs: number;
  maxVisibilityMs: number;
  /** How often a running job checks for cancellation (cheap status read). */
  cancelPollMs: number;
  /** Base delay before a retryable failure is retried (doubles per delivery); 0 retries at once. */
  retryBaseMs: number;
}

export interface WorkerDeps {
  db: Database;
  queue: SqsQueue;
  logger: Logger;
  settings: WorkerSettings;
  runJob: JobRunner;
}

/**
 * One job at a time: long-poll a message, claim its job atomically, run the pipeline while a `JobLease`
 * holds it, then settle the message. Messages whose job ended or is held by a live runner are duplicates
 * and are deleted (the holder keeps its own message; the queue sweeper covers lost ones).
 */
export class Worker {
  #draining = false;
  #loop: Loop | undefined;
  readonly holder: LeaseHolder;
  /** The worker as a loop: receive one message, handle it. */
  readonly loopOptions: LoopOptions<QueueMessage>;

  constructor(private readonly deps: WorkerDeps) {
    this.holder = { workerId: deps.settings.workerId, leaseSeconds: deps.settings.leaseMs / 1000 };
    this.loopOptions = {
      name: "runner",
      logger: deps.logger,
      // A zero wait is a short poll: pause between empty ones instead of spinning.
      idleMs: deps.settings.pollWaitMs === 0 ? 100 : 0,
      fetch: (signal) =>
        deps.queue.receive({
          waitSeconds: Math.min(SQS_MAX_WAIT_SECONDS, Math.round(deps.settings.pollWaitMs / 1000)),
          visibilitySeconds: this.visibilitySeconds,
          signal,
        }),
      handle: (msg) => this.handle(msg),
    };
  }

  /** Invisibility per renewal: a margin beyond the lease, so that after a crash the lease expires first. */
  get visibilitySeconds(): number {
    return jobMessageVisibilitySeconds(this.deps.settings.leaseMs);
  }

  start(): void {
    this.#loop ??= startLoop(this.loopOptions);
  }

  /** Stops taking messages; a job in progress checkpoints, hands its message back and returns within `graceMs`. */
  /** Drains; true when the job in progress (if any) was handed back within `graceMs`, false when time ran out. */
  async stop(graceMs: number): Promise<boolean> {
    this.#draining = true;
    const deadline = new Promise<false>((resolve) => setTimeout(() => resolve(false), graceMs).unref());
    const closed = (this.#loop?.close() ?? Promise.resolve()).then(() => true as const);
    return Promise.race([closed, deadline]);
  }

  /** Receives and handles at most one message; false when the queue had none. */
  pollOnce(): Promise<boolean> {
    return runOnce(this.loopOptions);
  }

  async handle(msg: QueueMessage): Promise<void> {
    const { db, queue, logger } = this.deps;
    let jobId: string;
    try {
      jobId = parseJobMessage(msg.body).job_id;
    } catch (err) {
      if (!(err instanceof InvalidJobMessageError)) throw err;
      logger.error(
        { body: msg.body?.slice(0, 200), err: err.message },
        "runner: deleting a message that is not a job message",
      );
      await queue.delete(msg.receiptHandle);
      return;
    }
    const claim = await claimJob(db, jobId, this.holder);
    if (claim.kind !== "claimed") {
      logger.info({ jobId, outcome: claim.kind }, "runner: dropping a duplicate or stale message");
      await queue.delete(msg.receiptHandle);
      return;
    }
    const log = logger.child({ jobId, attempt: claim.job.attempts });
    log.info({ resumed: claim.resumed, receiveCount: msg.receiveCount }, "runner: claimed job");
    await this.#runClaimed(jobId, msg, claim.job, claim.resumed, log);
  }

  #lease(jobId: string, msg: QueueMessage): JobLease {
    const { db, queue, settings } = this.deps;
    return new JobLease(
      {
        renewLease: () => renewJobLease(db, jobId, this.holder),
        cancelRequested: async () => {
          const [row] = await db
            .select({ status: jobs.status, cancelRequestedAt: jobs.cancelRequestedAt })
            .from(jobs)
            .where(eq(jobs.id, jobId));
          return !!row && (row.status === "cancelling" || row.cancelRequestedAt !== null);
        },
        extendMessage: (s) => queue.setVisibility(msg.receiptHandle, s),
        deleteMessage: () => queue.delete(msg.receiptHandle),
        returnMessage: (s) => queue.setVisibility(msg.receiptHandle, s),
      },
      {
        intervalMs: settings.leaseMs / 3,
        cancelPollMs: settings.cancelPollMs,
        visibilitySeconds: this.visibilitySeconds,
        firstReceivedAt: msg.firstReceivedAt,
        maxVisibilityMs: settings.maxVisibilityMs,
      },
    );
  }

  async #runClaimed(
    jobId: string,
    msg: QueueMessage,
    job: Parameters<JobRunner>[0]["job"],
    resumed: boolean,
    log: Logger,
  ): Promise<void> {
    const { db, settings } = this.deps;
    const lease = this.#lease(jobId, msg);
    lease.start();
    const shouldStop = (): StopReason | null => {
      if (lease.lostReason) return "lease_lost";
      if (lease.cancelRequested) return "cancelled";
      if (this.#draining) return "draining";
      return null;
    };
    const settle = async (fn: () => Promise<void>) => {
      await lease.stop();
      await fn();
    };

    try {
      const outcome = await this.deps.runJob({ job, workerId: settings.workerId, resumed, logger: log, shouldStop });
      if (outcome.kind === "finished") return await settle(() => lease.deleteMessage());
      if (outcome.reason === "cancelled") {
        return await settle(async () => {
          await finishCancelled(db, jobId, this.holder.workerId);
          await lease.deleteMessage();
        });
      }
      if (outcome.reason === "draining") {
        return await settle(async () => {
          await releaseJobLease(db, jobId, this.holder, {
            type: "job.interrupted",
            message: "The runner is shutting down; the job will resume from its last checkpoint.",
          });
          await lease.returnMessage(0);
        });
      }
      log.warn({ reason: lease.lostReason }, "runner: lost the job's lease; stopping without touching it");
      return await settle(async () => {
        const [row] = await db.select({ status: jobs.status }).from(jobs).where(eq(jobs.id, jobId));
        if (!row || isTerminalStatus(row.status)) await lease.deleteMessage().catch(() => undefined);
      });
    } catch (err) {
      const failure = err instanceof IllegalTransitionError ? null : classifyFailure(err);
      await settle(async () => {
        if (failure === null) {
          log.warn({ err: (err as Error).message }, "runner: the job changed state under the runner; leaving it");
          return;
        }
        if (failure.retryable) {
          log.warn({ err, code: failure.code }, "runner: retryable failure; the message returns to the queue");
          await releaseJobLease(db, jobId, this.holder, {
            type: "job.retrying",
            message: failure.message,
            data: { code: failure.code },
          });
          await lease.returnMessage(retryDelaySeconds(msg.receiveCount, settings.retryBaseMs));
          return;
        }
        log.error({ err, code: failure.code }, "runner: job failed");
        await failJob(db, jobId, this.holder.workerId, {
          code: failure.code,
          message: failure.message,
          param: failure.param ?? null,
        });
        await lease.deleteMessage();
      });
    }
  }
}
