import { eq } from "drizzle-orm";
import type { Database } from "../../core/db/database.ts";
import { jobs } from "../../core/db/schema.ts";
import type { StepReport } from "../training/training-loop.ts";
import type { JobProgress } from "./progress.ts";

/** Metrics events every `every` steps (and the first and last), with `estimated_finish` and tokens so far. */
export function metricsReporter(db: Database, progress: JobProgress, every: number, firstStep: number) {
  const trainStart = Date.now();
  return async (r: StepReport) => {
    if (r.step !== firstStep + 1 && r.step % every !== 0 && r.step !== r.totalSteps) return;
    const perStepMs = (Date.now() - trainStart) / Math.max(1, r.step - firstStep);
    const finish = new Date(Date.now() + perStepMs * (r.totalSteps - r.step));
    await db
      .update(jobs)
      .set({ estimatedFinish: finish, trainedTokens: r.trainedTokens })
      .where(eq(jobs.id, progress.jobId));
    await progress.event({
      type: "metrics",
      step: r.step,
      message: `Step ${r.step}/${r.totalSteps}: loss ${r.loss.toFixed(4)}`,
      data: {
        step: r.step,
        total_steps: r.totalSteps,
        epoch: r.epoch,
        loss: r.loss,
        learning_rate: r.lr,
        grad_norm: r.gradNorm,
        tokens_per_second: r.tokensPerSecond,
        elapsed_ms: Math.round(r.elapsedMs),
        trained_tokens: r.trainedTokens,
        estimated_finish: Math.floor(finish.getTime() / 1000),
      },
    });
  };
}
