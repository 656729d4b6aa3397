import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import type { Database } from "../../core/db/database.ts";
import type { Logger } from "../../core/log/logger.ts";
import { WEBHOOK_EVENTS_CHANNEL } from "../../core/webhooks/outbox.ts";

/**
 * Calls `onEvent` whenever an outbox event commits (Postgres LISTEN on the channel the outbox writer
 * notifies), so that events written anywhere (the runner, another process) go out without waiting for the
 * next poll. Returns the function that stops listening, or null when the driver offers no LISTEN; the
 * dispatcher's polling covers that case, and any lost connection.
 */
export async function listenForWebhookEvents(
  db: Database,
  onEvent: () => void,
  logger: Logger,
): Promise<(() => Promise<void>) | null> {
  const client = (db as unknown as { $client?: unknown }).$client;
  if (client instanceof PGlite) {
    const unlisten = await client.listen(WEBHOOK_EVENTS_CHANNEL, () => onEvent());
    return () => unlisten();
  }
  if (client instanceof pg.Pool) {
    // LISTEN needs one connection held for as long as we listen.
    const conn = await client.connect();
    conn.on("notification", (msg) => {
      if (msg.channel === WEBHOOK_EVENTS_CHANNEL) onEvent();
    });
    conn.on("error", (err) => logger.warn({ err }, "webhook event listener lost its connection; polling only"));
    await conn.query(`LISTEN ${WEBHOOK_EVENTS_CHANNEL}`);
    return async () => {
      try {
        await conn.query(`UNLISTEN ${WEBHOOK_EVENTS_CHANNEL}`);
        conn.release();
      } catch (err) {
        conn.release(err instanceof Error ? err : true);
      }
    };
  }
  return null;
}
