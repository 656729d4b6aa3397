import type { AwsResources } from "../../core/aws/resources.ts";
import type { Database } from "../../core/db/database.ts";
import type { SessionConfig } from "../engine/index.ts";
import type { evaluateJob, JudgeSettings } from "../evals/evaluate-job.ts";

/** How the runner configures the job pipeline (`start-runner.ts` builds it from the environment). */
export interface PipelineSettings {
  /** Local cache of datasets (by content hash). */
  cacheDir: string;
  modelCacheDir: string;
  modelCacheBytes: number;
  checkpointSteps: number;
  metricsSteps: number;
  session: SessionConfig;
  /** The operator's registered judges and the outbound policy for reaching them. */
  judges?: Omit<JudgeSettings, "env">;
}

export interface PipelineDeps {
  db: Database;
  aws: Pick<AwsResources, "s3" | "bucket">;
  settings: PipelineSettings;
  /** The evaluation stage (default: the engine-backed `evaluateJob`). */
  evaluate?: typeof evaluateJob;
}
