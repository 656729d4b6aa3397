import { connectAws } from "../../core/aws/connect-aws.ts";
import { loadConfig } from "../../core/config/load-config.ts";
import { connectDatabase } from "../../core/db/connect.ts";
import { createLogger } from "../../core/log/logger.ts";
import { ensureExecutionProvider } from "../../gpu-runner/engine/index.ts";
import { startRunner } from "../../gpu-runner/worker/start-runner.ts";

/**
 * `guardtune runner`: only the worker, against the configured Postgres and AWS (one process per
 * accelerator). SIGTERM/SIGINT drain: the job in progress checkpoints and returns to the queue within
 * GUARDTUNE_RUNNER_DRAIN_GRACE, then the process exits: 0 when the drain finished in time, 1 when the grace
 * ran out (the job's lease then lapses and another runner resumes it from its last checkpoint).
 */
export async function runnerCommand(): Promise<number> {
  const config = loadConfig();
  if (config.database.kind !== "postgres" || config.aws.kind !== "external") {
    process.stderr.write(
      "guardtune runner: set DATABASE_URL and GUARDTUNE_BUCKET (with the queue URLs) to the stack's database and AWS resources; " +
        "the embedded stack (`guardtune serve`) already runs a runner in-process.\n",
    );
    return 2;
  }
  // Before anything connects: a runner that cannot run its EP stops here, with the fix, not at its first job.
  await ensureExecutionProvider(config.runner.ep);
  const logger = createLogger(config.logLevel);
  const aws = await connectAws(config.aws);
  const database = await connectDatabase(config.database);
  const runner = startRunner({ config, db: database.db, aws, logger });
  process.stdout.write(`runner ${runner.workerId} ready (ep ${config.runner.ep})\n`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  logger.info({ signal, graceMs: config.runner.drainGraceMs }, "runner: draining");
  const drained = await runner.stop(config.runner.drainGraceMs);
  if (!drained) logger.error({ graceMs: config.runner.drainGraceMs }, "runner: the drain did not finish in time");
  await database.close();
  await aws.stop();
  return drained ? 0 : 1;
}
