import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RAW_ADMIN_VIEWS } from "../../../test/helpers/admin-raw-views.ts";
import { seedAdminData } from "../../../test/helpers/admin-seed.ts";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/test-db.ts";
import type { Database } from "../database.ts";
import { mergeRanges, refreshAdminRollups, TENANT_USAGE_TOTALS } from "./refresh.ts";
import { BUCKET_STORES } from "./stores.ts";

type Row = Record<string, unknown>;

/** A row as a sortable key; numbers rounded so that sums added in another order compare equal (and a mean
 * of exact zero, summed in another order, is zero within 1e-12). */
const key = (row: Row) =>
  JSON.stringify(
    Object.entries(row).map(([k, v]) => [
      k,
      typeof v === "number"
        ? Math.abs(v) < 1e-12
          ? 0
          : Number(v.toPrecision(12))
        : v instanceof Date
          ? v.toISOString()
          : v,
    ]),
  );

/** Each view next to its raw definition, read in one snapshot (so with one `now()`), rows in key order. */
async function compare(db: Database): Promise<Record<string, { view: string[]; raw: string[] }>> {
  const out: Record<string, { view: string[]; raw: string[] }> = {};
  await db.transaction(
    async (tx) => {
      // The raw definitions bucket by the session's zone, the rollups by UTC: the same in a UTC session.
      await tx.execute(sql`set local timezone = 'UTC'`);
      for (const [view, raw] of Object.entries(RAW_ADMIN_VIEWS)) {
        const read = async (q: string) =>
          ((await tx.execute(sql.raw(q))) as unknown as { rows: Row[] }).rows.map(key).sort();
        out[view] = { view: await read(`select * from ${view}`), raw: await read(`select * from (${raw}) r`) };
      }
    },
    { isolationLevel: "repeatable read" },
  );
  return out;
}

async function expectExact(db: Database) {
  for (const [view, { view: rows, raw }] of Object.entries(await compare(db))) {
    expect(raw.length, `${view} has rows`).toBeGreaterThan(0);
    expect(rows, view).toEqual(raw);
  }
}

const exec = async (db: Database, statements: string) => {
  for (const statement of statements.split(/;\s*\n/).filter((s) => s.trim())) await db.execute(sql.raw(statement));
};

describe(`admin rollups on ${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"}`, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
    await seedAdminData(database.db);
  }, 300_000);
  afterAll(() => database?.close());

  it("equal the raw aggregates before the first refresh (everything live)", async () => {
    await expectExact(database.db);
  });

  it("equal them after a full refresh, whose stored buckets cover all but the open hour", async () => {
    const r = await refreshAdminRollups(database.db);
    expect(r.rebuilt).toBe(true);
    const stored = await database.db.execute(sql`select count(*)::int as n from admin_jobs_hourly_rollup`);
    expect((stored as unknown as { rows: [{ n: number }] }).rows[0].n).toBeGreaterThan(500);
    await expectExact(database.db);
  });

  it("stay exact after late changes to closed buckets once refreshed, and miss them before", async () => {
    // A job created hours ago ends now; a started job is requeued; an old failure changes its code;
    // an attempt is recorded for an hour that closed; a 10-day-old job is deleted; an old queued job starts.
    await exec(
      database.db,
      `update jobs set status = 'succeeded', finished_at = now(), trained_tokens = 77777
         where id = (select id from jobs where status = 'running' order by created_at limit 1);
       update jobs set status = 'failed', finished_at = now() - interval '26 hours', started_at = now() - interval '27 hours',
           error = '{"code": "late_code"}'::jsonb
         where id = (select id from jobs where status = 'succeeded' and created_at < now() - interval '3 days' order by created_at desc limit 1);
       update jobs set error = '{"code": "relabelled"}'::jsonb
         where id = (select id from jobs where status = 'failed' and finished_at < now() - interval '2 days' order by finished_at desc limit 1);
       update jobs set status = 'queued', started_at = null
         where id = (select id from jobs where status = 'succeeded' and started_at < now() - interval '5 hours' order by started_at desc limit 1);
       insert into webhook_attempts (id, delivery_id, attempt, started_at, status_code, latency_ms)
         select 'wa_late', id, 3, now() - interval '2 hours', 200, 999 from webhook_deliveries order by created_at desc limit 1;
       delete from jobs where id = (select id from jobs where created_at < now() - interval '10 days' order by created_at desc limit 1);
       update jobs set status = 'running', started_at = now() where id = 'ftjob_5';`,
    );
    const stale = Object.entries(await compare(database.db)).filter(
      ([, c]) => JSON.stringify(c.view) !== JSON.stringify(c.raw),
    );
    expect(stale.map(([v]) => v)).toEqual(expect.arrayContaining(["admin_tenant_usage", "admin_failure_codes_daily"]));
    const r = await refreshAdminRollups(database.db);
    expect(r.rebuilt).toBe(false);
    expect(r.tenants).toBeGreaterThan(0);
    await expectExact(database.db);
    const left = await database.db.execute(sql`select count(*)::int as n from admin_rollup_dirty`);
    expect((left as unknown as { rows: [{ n: number }] }).rows[0].n).toBe(0);
  });

  it("stores the hours closed since the last refresh, and serves them live until then", async () => {
    // As if the last refresh ran five hours ago: those hours (and the days from theirs on) are not stored yet.
    await exec(database.db, `update admin_rollup_state set closed_before = closed_before - interval '5 hours'`);
    const closedBefore = `(select closed_before from admin_rollup_state)`;
    for (const store of BUCKET_STORES) {
      const from = store.bucket === "hour" ? closedBefore : `date_trunc('day', ${closedBefore}, 'UTC')`;
      await exec(database.db, `delete from ${store.table} where ${store.bucket} >= ${from}`);
    }
    await exec(database.db, `delete from admin_tenant_usage_rollup;\n${TENANT_USAGE_TOTALS}`);
    await expectExact(database.db);
    const r = await refreshAdminRollups(database.db);
    expect(r.hourRanges).toBeGreaterThanOrEqual(1);
    await expectExact(database.db);
  });
});

describe("mergeRanges", () => {
  it("sorts, joins touching and overlapping ranges, drops empty ones", () => {
    expect(
      mergeRanges([
        [5, 6],
        [1, 2],
        [2, 3],
        [9, 9],
        [4, 6],
      ]),
    ).toEqual([
      [1, 3],
      [4, 6],
    ]);
  });
});
