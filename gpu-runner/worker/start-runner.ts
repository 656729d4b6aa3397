import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import path from "node:path";
import type { AwsResources } from "../../core/aws/resources.ts";
import { startLoop, type Loop } from "../../core/background/loop.ts";
import type { Config } from "../../core/config/load-config.ts";
import type { Database } from "../../core/db/database.ts";
import { judgeTargetPolicy } from "../../core/judges/judge-target-policy.ts";
import type { Logger } from "../../core/log/logger.ts";
import { SQS_MAX_WAIT_SECONDS, sqsQueue } from "../../core/queue/sqs-queue.ts";
import { createPipeline, type PipelineDeps } from "../pipeline/run-pipeline.ts";
import { deadLetterLoop } from "./dlq-consumer.ts";
import { Worker, type WorkerSettings } from "./worker.ts";
import { JudgeCache } from "../evals/judge-all.ts";

export interface RunnerDeps {
  config: Config;
  db: Database;
  aws: AwsResources;
  logger: Logger;
}

export interface RunnerHandle {
  readonly worker: Worker;
  readonly workerId: string;
  /** Drains: the job in progress checkpoints and hands its message back, within `graceMs`; false if time ran out. */
  stop(graceMs?: number): Promise<boolean>;
}

export interface RunnerOverrides {
  worker?: Partial<WorkerSettings>;
  pipeline?: Partial<Pick<PipelineDeps, "evaluate">>;
  /** Consume the dead-letter queue in this process (default true). */
  deadLetters?: boolean;
}

/**
 * A runner process's parts: the worker loop and, when the dead-letter queue is configured, its consumer.
 * Lost messages of jobs whose runner vanished are the queue sweeper's concern (`functions/queue/`).
 */
export function startRunner(deps: RunnerDeps, overrides: RunnerOverrides = {}): RunnerHandle {
  const { config, db, aws } = deps;
  const r = config.runner;
  const workerId = r.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  const logger = deps.logger.child({ component: "runner", workerId });
  logger.info({ ep: r.ep, threads: r.threads || "auto" }, "runner: starting");
  const pipeline = createPipeline({
    db,
    aws,
    settings: {
      cacheDir: path.join(config.dataDir, "cache"),
      modelCacheDir: r.modelCacheDir,
      modelCacheBytes: r.modelCacheBytes,
      checkpointSteps: r.checkpointSteps,
      metricsSteps: r.metricsSteps,
      // each session on a worker thread: the runners of one process compute in parallel, and the event loop
      // stays free for the lease heartbeat and cancellation while a step runs (a WebGPU session stays here)
      session: { ep: r.ep, worker: true, ...(r.threads > 0 ? { intraOpThreads: r.threads } : {}) },
      judges: {
        registered: config.judges.registered,
        cache: new JudgeCache(),
        policy: judgeTargetPolicy(config),
        timeoutMs: config.judges.timeoutMs,
      },
    },
    ...overrides.pipeline,
  });
  const worker = new Worker({
    db,
    queue: sqsQueue(aws.sqs, aws.jobsQueueUrl),
    logger,
    runJob: pipeline,
    settings: {
      workerId,
      leaseMs: r.leaseMs,
      pollWaitMs: r.pollWaitMs,
      maxVisibilityMs: r.maxVisibilityMs,
      cancelPollMs: Math.min(1000, r.leaseMs / 3),
      retryBaseMs: 5000,
      ...overrides.worker,
    },
  });
  const dlq: Loop | undefined =
    aws.jobsDlqUrl && overrides.deadLetters !== false
      ? startDeadLetterConsumer({ db, aws: { ...aws, jobsDlqUrl: aws.jobsDlqUrl }, logger, pollWaitMs: r.pollWaitMs })
      : undefined;
  worker.start();
  return {
    worker,
    workerId,
    async stop(graceMs = r.drainGraceMs) {
      const [drained] = await Promise.all([worker.stop(graceMs), dlq?.close()]);
      return drained;
    },
  };
}

/** The dead-letter consumer on its own (`guardtune dlq`) or next to a worker. */
export function startDeadLetterConsumer(deps: {
  db: Database;
  aws: Pick<AwsResources, "sqs"> & { jobsDlqUrl: string };
  logger: Logger;
  pollWaitMs: number;
}): Loop {
  return startLoop(
    deadLetterLoop({
      db: deps.db,
      queue: sqsQueue(deps.aws.sqs, deps.aws.jobsDlqUrl),
      logger: deps.logger,
      waitSeconds: Math.min(SQS_MAX_WAIT_SECONDS, Math.round(deps.pollWaitMs / 1000)),
    }),
  );
}
