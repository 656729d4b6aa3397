import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../core/log/logger.ts";
import { seedAdminData } from "../../test/helpers/admin-seed.ts";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/test-db.ts";
import { startAdminRollupRefresher } from "./rollup-refresher.ts";

const count = async (db: TestDatabase["db"], query: string) =>
  ((await db.execute(sql.raw(query))) as unknown as { rows: [{ n: number }] }).rows[0].n;

describe("the admin rollup refresher loop", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
    await seedAdminData(database.db, 300);
  }, 300_000);
  afterAll(() => database?.close());

  it("stores the closed buckets, then consumes the marks a late change leaves", async () => {
    const loop = startAdminRollupRefresher({ db: database.db, logger: createLogger("silent"), intervalMs: 20 });
    try {
      await expect
        .poll(() => count(database.db, "select count(*)::int as n from admin_rollup_state"), { timeout: 60_000 })
        .toBe(1);
      expect(await count(database.db, "select count(*)::int as n from admin_jobs_hourly_rollup")).toBeGreaterThan(0);
      // A job that ended days ago fails instead: its stored hours and days are marked, then recomputed.
      await database.db.execute(
        sql`update jobs set status = 'failed', error = '{"code": "late"}'::jsonb
            where id = (select id from jobs where status = 'succeeded' order by created_at limit 1)`,
      );
      await expect
        .poll(
          () =>
            count(database.db, "select count(*)::int as n from admin_failure_codes_daily_rollup where code = 'late'"),
          { timeout: 60_000 },
        )
        .toBe(2); // the tenant's row and the all-tenants row
      expect(await count(database.db, "select count(*)::int as n from admin_rollup_dirty")).toBe(0);
    } finally {
      await loop.close();
    }
  });
});
