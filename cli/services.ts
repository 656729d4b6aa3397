import { startAdminRollupRefresher } from "../functions/admin/rollup-refresher.ts";
import { startUploadsConsumer } from "../functions/datasets/uploads-consumer.ts";
import { startJobQueueRelay } from "../functions/queue/job-queue-relay.ts";
import { startJobQueueSweeper } from "../functions/queue/job-queue-sweeper.ts";
import { startWebhookDispatcherService } from "../functions/webhooks/dispatcher-service.ts";
import { ensureExecutionProvider } from "../gpu-runner/engine/index.ts";
import { startRunner } from "../gpu-runner/worker/start-runner.ts";
import type { ServiceFactory } from "./background-service.ts";

/**
 * The background loops the embedded stack runs next to the API, in start order. Each returns null when
 * configuration turns it off.
 */
export const STACK_SERVICES: ReadonlyArray<readonly [string, ServiceFactory]> = [
  // Validates uploaded datasets from the uploads queue (S3 notifications, or the API's own on completion).
  ["uploads", async (ctx) => startUploadsConsumer(ctx)],
  // Sends webhook events from the outbox; woken by committed events and `notify("webhook-dispatcher")`, else polls.
  ["webhook-dispatcher", async (ctx) => startWebhookDispatcherService(ctx)],
  // Publishes queued jobs from the outbox to the jobs queue; woken by `notify("jobs-outbox")`, else polls.
  ["jobs-outbox", async (ctx) => startJobQueueRelay(ctx)],
  // Republishes queued jobs whose message was lost; completes cancellations whose runner died.
  ["jobs-sweeper", async (ctx) => startJobQueueSweeper(ctx)],
  // Stores the closed hours and days of the admin views and recomputes the ones late changes touched.
  ["admin-rollups", async (ctx) => startAdminRollupRefresher(ctx)],
  // Trains jobs from the jobs queue in this process (GUARDTUNE_RUNNER=embedded); drains on stop.
  [
    "runner",
    async (ctx) => {
      if (!ctx.config.runner.enabled) return null;
      await ensureExecutionProvider(ctx.config.runner.ep); // fails the start-up, not the first job
      const runner = startRunner(ctx);
      return { name: "runner", close: async () => void (await runner.stop()) };
    },
  ],
];
