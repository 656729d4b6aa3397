import type { Job } from "../../core/db/schema.ts";
import type { Logger } from "../../core/log/logger.ts";

/** Why training stops before the end: the user cancelled, the lease is gone, or the process is draining. */
export type StopReason = "cancelled" | "lease_lost" | "draining";

/** What the worker hands the pipeline for one claimed job. */
export interface JobRun {
  job: Job;
  workerId: string;
  /** True when an earlier attempt started this job (resume from its newest checkpoint). */
  resumed: boolean;
  logger: Logger;
  /** Checked at every step boundary; non-null means: checkpoint if useful, then return `stopped`. */
  shouldStop(): StopReason | null;
}

export type RunOutcome =
  /** The pipeline wrote the terminal state itself (succeeded, or failed by the misalignment gate). */
  { kind: "finished" } | { kind: "stopped"; reason: StopReason };

/** The pipeline as the worker sees it. Throwing means failure; `classifyFailure` decides what kind. */
export type JobRunner = (run: JobRun) => Promise<RunOutcome>;
