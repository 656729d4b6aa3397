import { connectAws, type AwsHandle } from "../../core/aws/connect-aws.ts";
import { loadConfig, type Config } from "../../core/config/load-config.ts";
import { connectDatabase, type DatabaseHandle } from "../../core/db/connect.ts";
import { createLogger, type Logger } from "../../core/log/logger.ts";
import type { BackgroundService } from "../background-service.ts";

/** What one background function needs from the environment, and how it starts. */
interface BackgroundFunction {
  /** Needs the external S3/SQS resources (GUARDTUNE_BUCKET and the queue URLs), not only the database. */
  needsAws: boolean;
  start(ctx: {
    config: Config;
    database: DatabaseHandle;
    aws: AwsHandle | undefined;
    logger: Logger;
  }): Promise<BackgroundService>;
}

/**
 * The background functions of the stack, each deployable on its own (`guardtune relay`, …): the same loops
 * `guardtune serve` runs next to the API, here started alone against the external database (and queues).
 * Modules load when the command runs, so each process loads only its own function.
 */
export const BACKGROUND_FUNCTIONS: Record<string, BackgroundFunction> = {
  relay: {
    needsAws: true,
    async start({ config, database, aws, logger }) {
      const { startJobQueueRelay } = await import("../../functions/queue/job-queue-relay.ts");
      const forced = { ...config, queue: { ...config.queue, relayEnabled: true } };
      return startJobQueueRelay({ config: forced, db: database.db, aws: aws!, logger })!;
    },
  },
  sweeper: {
    needsAws: false,
    async start({ config, database, logger }) {
      const { startJobQueueSweeper } = await import("../../functions/queue/job-queue-sweeper.ts");
      const forced = { ...config, queue: { ...config.queue, relayEnabled: true } };
      return startJobQueueSweeper({ config: forced, db: database.db, logger })!;
    },
  },
  rollups: {
    needsAws: false,
    async start({ database, logger }) {
      const { startAdminRollupRefresher } = await import("../../functions/admin/rollup-refresher.ts");
      return startAdminRollupRefresher({ db: database.db, logger });
    },
  },
  dispatcher: {
    needsAws: false,
    async start({ config, database, logger }) {
      const { startWebhookDispatcherService } = await import("../../functions/webhooks/dispatcher-service.ts");
      const forced = { ...config, webhooks: { ...config.webhooks, dispatcherEnabled: true } };
      return (await startWebhookDispatcherService({
        config: forced,
        db: database.db,
        logger,
        listen: database.listen,
      }))!;
    },
  },
  uploads: {
    needsAws: true,
    async start({ config, database, aws, logger }) {
      const { startUploadsConsumer } = await import("../../functions/datasets/uploads-consumer.ts");
      return startUploadsConsumer({ config, db: database.db, aws: aws!, logger });
    },
  },
  dlq: {
    needsAws: true,
    async start({ config, database, aws, logger }) {
      const dlqUrl = aws!.jobsDlqUrl;
      if (!dlqUrl)
        throw new BackgroundUsageError("guardtune dlq: set GUARDTUNE_JOBS_DLQ_URL to the dead-letter queue.");
      const { startDeadLetterConsumer } = await import("../../gpu-runner/worker/start-runner.ts");
      return startDeadLetterConsumer({
        db: database.db,
        aws: { sqs: aws!.sqs, jobsDlqUrl: dlqUrl },
        logger,
        pollWaitMs: config.runner.pollWaitMs,
      });
    },
  },
};

class BackgroundUsageError extends Error {}

/**
 * `guardtune <function>`: one background function against `DATABASE_URL` (and `GUARDTUNE_BUCKET` with the
 * queue URLs where it uses a queue) until SIGTERM/SIGINT, which closes it after the work in hand.
 */
export async function backgroundCommand(name: string): Promise<number> {
  const fn = BACKGROUND_FUNCTIONS[name];
  if (!fn) throw new Error(`unknown background function ${name}`);
  const config = loadConfig();
  if (config.database.kind !== "postgres" || (fn.needsAws && config.aws.kind !== "external")) {
    const needs = fn.needsAws ? "DATABASE_URL and GUARDTUNE_BUCKET (with the queue URLs)" : "DATABASE_URL";
    process.stderr.write(
      `guardtune ${name}: set ${needs} to the stack's resources; ` +
        "the embedded stack (`guardtune serve`) already runs every background function in-process.\n",
    );
    return 2;
  }
  // Listen before starting: a SIGTERM during start-up is kept and honoured once the function runs, and a
  // second signal while closing does not kill the process halfway.
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    process.on("SIGTERM", resolve);
    process.on("SIGINT", resolve);
  });
  const logger = createLogger(config.logLevel, { function: name });
  const database = await connectDatabase(config.database);
  const aws = fn.needsAws ? await connectAws(config.aws) : undefined;
  const stopResources = async () => {
    await database.close();
    await aws?.stop();
  };
  let service: BackgroundService;
  try {
    service = await fn.start({ config, database, aws, logger });
  } catch (err) {
    await stopResources();
    if (!(err instanceof BackgroundUsageError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
  process.stdout.write(`${name} ready\n`);
  const signal = await stopRequested;
  logger.info({ signal }, `${name}: stopping`);
  await service.close();
  await stopResources();
  return 0;
}
