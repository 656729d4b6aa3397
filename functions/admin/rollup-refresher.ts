import { startPassLoop, type Loop } from "../../core/background/loop.ts";
import { refreshAdminRollups } from "../../core/db/admin-rollups/refresh.ts";
import type { Database } from "../../core/db/database.ts";
import type { Logger } from "../../core/log/logger.ts";

/**
 * Between refreshes the views stay exact for open buckets (computed live) and for closed buckets nobody
 * changed; a late change to a closed bucket shows after at most this long.
 */
export const ADMIN_ROLLUP_INTERVAL_MS = 60_000;

/**
 * Keeps the stored buckets of the admin views current (`refreshAdminRollups`): the hours that closed and the
 * buckets late changes touched. Several processes may run it; refreshes take turns on an advisory lock.
 */
export function startAdminRollupRefresher(ctx: { db: Database; logger: Logger; intervalMs?: number }): Loop {
  return startPassLoop({
    name: "admin-rollups",
    intervalMs: ctx.intervalMs ?? ADMIN_ROLLUP_INTERVAL_MS,
    logger: ctx.logger,
    pass: async () => {
      const r = await refreshAdminRollups(ctx.db);
      ctx.logger.debug({ ...r }, "admin rollups refreshed");
      return false;
    },
  });
}
