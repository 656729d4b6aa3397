import type { Config } from "../../core/config/load-config.ts";
import type { Database } from "../../core/db/database.ts";
import type { Logger } from "../../core/log/logger.ts";
import { pruneWebhookHistory } from "../../core/webhooks/prune-webhook-history.ts";
import { startPollLoop, type PollLoop } from "../queue/poll-loop.ts";
import { createWebhookDispatcher } from "./dispatcher.ts";
import { listenForWebhookEvents } from "./outbox-listener.ts";

/**
 * The dispatcher as a long-running service: polls, is woken by `wake()` (the API after it queues a test or
 * replay) and by every committed outbox event (LISTEN/NOTIFY). Null when `GUARDTUNE_WEBHOOK_DISPATCHER=off`
 * (another process or a scheduled function dispatches). It also prunes finished history past the retention period.
 */
export async function startWebhookDispatcherService(ctx: {
  config: Config;
  db: Database;
  logger: Logger;
}): Promise<PollLoop | null> {
  if (!ctx.config.webhooks.dispatcherEnabled) return null;
  const loop = createWebhookDispatcher({ db: ctx.db, config: ctx.config, logger: ctx.logger }).start();
  const unlisten = await listenForWebhookEvents(ctx.db, () => loop.wake(), ctx.logger).catch((err: unknown) => {
    ctx.logger.warn({ err }, "cannot listen for webhook events; relying on polling");
    return null;
  });
  // Finished history is pruned hourly, in bounded batches (a batch that was full runs again at once).
  const PRUNE_BATCH = 1000;
  const pruner = startPollLoop({
    name: "webhook-history-pruner",
    intervalMs: 3_600_000,
    logger: ctx.logger,
    pass: async () =>
      (await pruneWebhookHistory(ctx.db, { olderThanMs: ctx.config.webhooks.retentionMs, limit: PRUNE_BATCH })) ===
      PRUNE_BATCH,
  });
  return {
    name: loop.name,
    wake: () => loop.wake(),
    stop: async () => {
      await unlisten?.();
      await Promise.all([loop.stop(), pruner.stop()]);
    },
  };
}
