import { startPassLoop, type Loop } from "../../core/background/loop.ts";
import type { Config } from "../../core/config/load-config.ts";
import type { ListenFn } from "../../core/db/connect.ts";
import type { Database } from "../../core/db/database.ts";
import type { Logger } from "../../core/log/logger.ts";
import { WEBHOOK_EVENTS_CHANNEL } from "../../core/webhooks/outbox.ts";
import { pruneWebhookHistory } from "./prune-webhook-history.ts";
import { createWebhookDispatcher } from "./dispatcher.ts";

/** Finished history is pruned hourly, in bounded batches (a batch that was full runs again at once). */
const PRUNE_BATCH = 1000;
const PRUNE_INTERVAL_MS = 3_600_000;

/**
 * The dispatcher as a long-running service: polls, is woken by `wake()` (the API after it queues a test or
 * replay) and by every committed outbox event (Postgres LISTEN on the channel the outbox writer notifies), so
 * that events written anywhere (the runner, another process) go out without waiting for the next poll. Null
 * when `GUARDTUNE_WEBHOOK_DISPATCHER=off` (another process or a scheduled function dispatches). It also prunes
 * finished history past the retention period.
 */
export async function startWebhookDispatcherService(ctx: {
  config: Config;
  db: Database;
  logger: Logger;
  listen?: ListenFn;
}): Promise<Loop | null> {
  if (!ctx.config.webhooks.dispatcherEnabled) return null;
  const loop = createWebhookDispatcher({ db: ctx.db, config: ctx.config, logger: ctx.logger }).start();
  const onListenError = (err: unknown) =>
    ctx.logger.warn({ err }, "webhook event listener lost its connection; polling only");
  const unlisten = ctx.listen
    ? await ctx
        .listen(WEBHOOK_EVENTS_CHANNEL, () => loop.wake(), onListenError)
        .catch((err: unknown) => {
          ctx.logger.warn({ err }, "cannot listen for webhook events; relying on polling");
          return null;
        })
    : null;
  const pruner = startPassLoop({
    name: "webhook-history-pruner",
    intervalMs: PRUNE_INTERVAL_MS,
    logger: ctx.logger,
    pass: async () =>
      (await pruneWebhookHistory(ctx.db, { olderThanMs: ctx.config.webhooks.retentionMs, limit: PRUNE_BATCH })) ===
      PRUNE_BATCH,
  });
  let closing: Promise<void> | undefined;
  return {
    name: loop.name,
    signal: loop.signal,
    wake: () => loop.wake(),
    close: () =>
      (closing ??= (async () => {
        await unlisten?.();
        await Promise.all([loop.close(), pruner.close()]);
      })()),
  };
}
