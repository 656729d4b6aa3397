import { sql } from "drizzle-orm";
import type { Database } from "../../core/db/database.ts";
import { jobs, type Job } from "../../core/db/schema.ts";
import type { JobConfig } from "../../core/jobs/job-config.ts";
import { IllegalTransitionError, transitionJob } from "../../core/jobs/state-machine.ts";
import { classifyFailure } from "../worker/failure.ts";
import { recordArtifacts } from "./artifacts.ts";
import type { MetricsReport } from "./finish-job.ts";
import { jsonSafe } from "./json-safe.ts";
import type { TrainedAdapter } from "./trained-adapter.ts";
import { resolveGate } from "../../core/safeguards/evaluation-config.ts";

/** Attempts (claims of the job) after which an evaluation that keeps failing temporarily ends the job. */
export const MAX_EVALUATION_ATTEMPTS = 3;

/**
 * After training succeeded, evaluation or the upload of results failed. A temporary failure is thrown again
 * while attempts remain (the retry resumes at the evaluation stage with the stored adapter); otherwise the
 * job ends `failed` with `evaluation_failed`, the adapter recorded as its artifact and listed on the final
 * checkpoint. The gate rule still holds: a gated job could not be shown to pass, so its adapter is withheld
 * unless the job asked for it anyway.
 */
export async function endWithEvaluationFailure(
  db: Database,
  job: Job,
  workerId: string,
  err: unknown,
  inputs: { config: JobConfig; trained: TrainedAdapter; metrics: MetricsReport },
): Promise<void> {
  if (err instanceof IllegalTransitionError) throw err;
  const failure = classifyFailure(err);
  if (failure.retryable && job.attempts < MAX_EVALUATION_ATTEMPTS) throw err;
  // The gate that would have run (explicit, or on by default with a judge) decides, failing closed.
  const gate = resolveGate(inputs.config.evaluation);
  const withheld = gate !== null && !gate.release_adapter_on_failure;
  const files = inputs.trained.files.map((f) => ({ ...f, withheld }));
  const message =
    `Training finished (${inputs.metrics.steps} steps) but the evaluation failed: ${failure.message} ` +
    (withheld
      ? "The trained adapter is kept but withheld, because the job's misalignment gate could not be checked."
      : "The trained adapter is kept: GET /v1/jobs/{id}/checkpoints lists it on the final checkpoint.");
  await db.transaction(async (tx) => {
    await recordArtifacts(tx, job.id, files);
    await transitionJob(tx, job.id, {
      from: "running",
      to: "failed",
      extraWhere: sql`${jobs.leaseOwner} = ${workerId}`,
      event: {
        type: "job.failed",
        level: "error",
        message,
        data: { code: "evaluation_failed", cause_code: failure.code, adapter_withheld: withheld },
      },
      set: {
        error: { code: "evaluation_failed", message, param: failure.param ?? "evaluation" },
        result: jsonSafe({
          adapter: { format: "peft", files: files.map((f) => f.filename), withheld },
          metrics: inputs.metrics,
          evaluation: null,
        }),
        trainedTokens: inputs.metrics.trained_tokens,
        estimatedFinish: null,
      },
    });
  });
}
