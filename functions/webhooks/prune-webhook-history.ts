import { sql } from "drizzle-orm";
import type { Queryable } from "../../core/db/database.ts";

/**
 * Deletes webhook events older than `olderThanMs` whose deliveries have all finished (succeeded or failed),
 * with their deliveries and attempts (foreign keys cascade). Events still pending or not yet fanned out stay,
 * however old, so that retention never loses a notification. Deletes at most `limit` events per call so one
 * call stays short; returns how many it deleted.
 */
export async function pruneWebhookHistory(
  db: Queryable,
  opts: { olderThanMs: number; limit?: number },
): Promise<number> {
  const cutoff = new Date(Date.now() - opts.olderThanMs);
  const result = (await db.execute(sql`
    delete from webhook_events
    where id in (
      select e.id from webhook_events e
      where e.created_at < ${cutoff.toISOString()}::timestamptz
        and e.fanned_out_at is not null
        and not exists (select 1 from webhook_deliveries d where d.event_id = e.id and d.status = 'pending')
      order by e.created_at
      limit ${opts.limit ?? 1000}
    )
    returning id`)) as unknown as { rows: unknown[] };
  return result.rows.length;
}
