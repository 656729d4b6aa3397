import { eq } from "drizzle-orm";
import type { Database } from "../../core/db/database.ts";
import { jobs } from "../../core/db/schema.ts";
import { claimJob, releaseJobLease, renewJobLease, type LeaseHolder } from "../../core/jobs/claim-job.ts";
import { IllegalTransitionError, isTerminalStatus } from "../../core/jobs/state-machine.ts";
import type { Logger } from "../../core/log/logger.ts";
import { InvalidJobMessageError, parseJobMessage } from "../../core/queue/job-message.ts";
import { classifyFailure, retryDelaySeconds } from "./failure.ts";
import type { JobRunner, StopReason } from "./job-run.ts";
import type { JobQueue, QueueMessage } from "./job-queue.ts";
import { LeaseRenewer } from "./lease-renewer.ts";
import { finishCancelled, failJob } from "./job-endings.ts";

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
  queue: JobQueue;
  logger: Logger;
  settings: WorkerSettings;
  runJob: JobRunner;
}

/**
 * One job at a time: long-poll a message, claim its job atomically, run the pipeline while a renewer
 * holds the lease, then settle the message. Messages whose job ended or is held by a live runner are
 * duplicates and are deleted (the holder keeps its own message; the lease sweeper covers lost ones).
 */
export class Worker {
  #stopping = false;
  #draining = false;
  #receiveAbort = new AbortController();
  #loop: Promise<void> | undefined;
  #current: Promise<void> | undefined;
  readonly holder: LeaseHolder;

  constructor(private readonly deps: WorkerDeps) {
    this.holder = { workerId: deps.settings.workerId, leaseSeconds: deps.settings.leaseMs / 1000 };
  }

  /** Invisibility per renewal: a margin beyond the lease, so that after a crash the lease expires first. */
  get visibilitySeconds(): number {
    const lease = this.deps.settings.leaseMs / 1000;
    return Math.ceil(lease + Math.max(2, lease / 4));
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops taking messages; a job in progress checkpoints, hands its message back and returns within `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    this.#draining = true;
    this.#receiveAbort.abort();
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([this.#loop ?? Promise.resolve(), deadline]);
  }

  async #run(): Promise<void> {
    let backoffMs = 250;
    while (!this.#stopping) {
      try {
        const received = await this.pollOnce();
        backoffMs = 250;
        if (!received && this.deps.settings.pollWaitMs === 0) await sleep(100);
      } catch (err) {
        if (this.#stopping) break;
        this.deps.logger.warn({ err }, "runner: receiving from the jobs queue failed; retrying");
        await sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 10_000);
      }
    }
  }

  /** Receives and handles at most one message; false when the queue had none. */
  async pollOnce(): Promise<boolean> {
    const msg = await this.deps.queue.receive({
      // SQS long polls for at most 20 s.
      waitSeconds: Math.min(20, Math.round(this.deps.settings.pollWaitMs / 1000)),
      visibilitySeconds: this.visibilitySeconds,
      signal: this.#receiveAbort.signal,
    });
    if (!msg) return false;
    this.#current = this.handle(msg);
    await this.#current;
    return true;
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

  async #runClaimed(
    jobId: string,
    msg: QueueMessage,
    job: Parameters<JobRunner>[0]["job"],
    resumed: boolean,
    log: Logger,
  ): Promise<void> {
    const { db, queue, settings } = this.deps;
    const renewer = new LeaseRenewer(
      {
        renewLease: () => renewJobLease(db, jobId, this.holder),
        extendMessage: (s) => queue.setVisibility(msg.receiptHandle, s),
        retireMessage: () => queue.delete(msg.receiptHandle),
      },
      {
        intervalMs: settings.leaseMs / 3,
        visibilitySeconds: this.visibilitySeconds,
        firstReceivedAt: msg.firstReceivedAt,
        maxVisibilityMs: settings.maxVisibilityMs,
      },
    );
    let cancelSeen = false;
    const cancelPoll = setInterval(() => {
      void db
        .select({ status: jobs.status, cancelRequestedAt: jobs.cancelRequestedAt })
        .from(jobs)
        .where(eq(jobs.id, jobId))
        .then(
          ([row]) => {
            if (row && (row.status === "cancelling" || row.cancelRequestedAt !== null)) cancelSeen = true;
          },
          () => undefined,
        );
    }, settings.cancelPollMs);
    cancelPoll.unref();
    renewer.start();
    const shouldStop = (): StopReason | null => {
      if (renewer.lostReason) return "lease_lost";
      if (cancelSeen || renewer.cancelRequested) return "cancelled";
      if (this.#draining) return "draining";
      return null;
    };
    const settle = async (fn: () => Promise<void>) => {
      clearInterval(cancelPoll);
      await renewer.stop();
      await fn();
    };
    const deleteMessage = () => (renewer.messageRetired ? Promise.resolve() : queue.delete(msg.receiptHandle));

    try {
      const outcome = await this.deps.runJob({ job, workerId: settings.workerId, resumed, logger: log, shouldStop });
      if (outcome.kind === "finished") return await settle(deleteMessage);
      if (outcome.reason === "cancelled") {
        return await settle(async () => {
          await finishCancelled(db, jobId, this.holder.workerId);
          await deleteMessage();
        });
      }
      if (outcome.reason === "draining") {
        return await settle(async () => {
          await releaseJobLease(db, jobId, this.holder, {
            type: "job.interrupted",
            message: "The runner is shutting down; the job will resume from its last checkpoint.",
          });
          if (!renewer.messageRetired) await queue.setVisibility(msg.receiptHandle, 0);
        });
      }
      log.warn({ reason: renewer.lostReason }, "runner: lost the job's lease; stopping without touching it");
      return await settle(async () => {
        const [row] = await db.select({ status: jobs.status }).from(jobs).where(eq(jobs.id, jobId));
        if (!row || isTerminalStatus(row.status)) await deleteMessage().catch(() => undefined);
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
          if (!renewer.messageRetired)
            await queue.setVisibility(msg.receiptHandle, retryDelaySeconds(msg.receiveCount, settings.retryBaseMs));
          return;
        }
        log.error({ err, code: failure.code }, "runner: job failed");
        await failJob(db, jobId, this.holder.workerId, {
          code: failure.code,
          message: failure.message,
          param: failure.param ?? null,
        });
        await deleteMessage();
      });
    }
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
