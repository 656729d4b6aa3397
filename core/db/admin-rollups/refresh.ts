import { sql } from "drizzle-orm";
import type { Database } from "../database.ts";
import { queueBaseline } from "../schema/admin-buckets.ts";
import { BUCKET_STORES, type BucketStore } from "./stores.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Stored buckets reach one day before the views' 30-day window, so a reader whose window starts a little
 * earlier (another session time zone shifts `now() - interval '30 days'` across a DST change) still finds them. */
const KEEP_MS = 31 * DAY;
/** pg_advisory_xact_lock key: one refresh at a time across every process that runs one. */
const LOCK_KEY = 7_462_019_301;

/** Refills the per-tenant totals from the stored days. */
export const TENANT_USAGE_TOTALS = `
  insert into admin_tenant_usage_rollup
  select tenant_id, sum(jobs_total), sum(jobs_validating_files), sum(jobs_queued), sum(jobs_running),
    sum(jobs_cancelling), sum(jobs_succeeded), sum(jobs_failed), sum(jobs_cancelled), sum(trained_tokens)
  from admin_tenant_usage_daily_rollup group by tenant_id`;

/** [lo, hi) in epoch milliseconds. */
type Range = [number, number];

export interface RollupRefresh {
  /** Hours before this (and days before its UTC day) are now stored. */
  closedBefore: Date;
  /** Everything was recomputed: first refresh, or asked for. */
  rebuilt: boolean;
  /** Hour ranges and day ranges recomputed, tenants whose duration percentiles were recomputed. */
  hourRanges: number;
  dayRanges: number;
  tenants: number;
}

const literal = (ms: number) => `'${new Date(ms).toISOString()}'::timestamptz`;
const dayStart = (ms: number) => Math.floor(ms / DAY) * DAY;

/** Sorts and merges overlapping or touching ranges. */
export function mergeRanges(ranges: Range[]): Range[] {
  const sorted = ranges.filter(([lo, hi]) => hi > lo).sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  for (const [lo, hi] of sorted) {
    const last = out.at(-1);
    if (last && lo <= last[1]) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

const clip = (ranges: Range[], from: number): Range[] =>
  mergeRanges(ranges.map(([lo, hi]): Range => [Math.max(lo, from), hi]));

/** The UTC days that `ranges` touch, as day ranges ending before `before`. */
const daysOf = (ranges: Range[], before: number): Range[] =>
  mergeRanges(ranges.map(([lo, hi]): Range => [dayStart(lo), Math.min(before, dayStart(hi - 1) + DAY)]));

/**
 * Brings the stored buckets of the admin views up to date, in one transaction: the hours closed since the
 * last refresh, the hours (and their days) that `admin_rollup_dirty` marks as changed since, the queue-depth
 * baselines of this hour's and the next hour's window, and the duration percentiles of the tenants whose
 * succeeded jobs changed. The first refresh (or `rebuild`) recomputes everything. Idempotent; concurrent
 * callers take turns.
 */
export async function refreshAdminRollups(db: Database, opts: { rebuild?: boolean } = {}): Promise<RollupRefresh> {
  return db.transaction(async (tx) => {
    const rows = async <T>(query: string) => ((await tx.execute(sql.raw(query))) as unknown as { rows: T[] }).rows;
    await rows(`select pg_advisory_xact_lock(${LOCK_KEY})`);
    const [clock] = await rows<{ now_hour: number; closed_before: number | null }>(`
      select (extract(epoch from date_trunc('hour', clock_timestamp(), 'UTC')) * 1000)::float8 as now_hour,
        (select (extract(epoch from closed_before) * 1000)::float8 from admin_rollup_state) as closed_before`);
    const previous = opts.rebuild ? null : clock.closed_before;
    const closedBefore = Math.max(clock.now_hour, previous ?? 0);
    const closedDay = dayStart(closedBefore);
    const keepFrom = closedBefore - KEEP_MS;
    const [dirty] = await rows<{ hours: number[]; tenants: string[] }>(`
      with d as (delete from admin_rollup_dirty returning hour, tenant_id)
      select coalesce(array_agg(distinct (extract(epoch from hour) * 1000)::float8) filter (where hour is not null), '{}') as hours,
        coalesce(array_agg(distinct tenant_id) filter (where hour is null), '{}') as tenants
      from d`);

    // Hours to recompute: newly closed ones and changed ones already stored; changes to open hours need
    // nothing (the views compute open hours live, and they are stored when they close).
    const changed = previous === null ? [] : dirty.hours.filter((h) => h < previous).map((h): Range => [h, h + HOUR]);
    const hours: Range[] =
      previous === null
        ? [[Number.NEGATIVE_INFINITY, closedBefore]]
        : mergeRanges([[previous, closedBefore], ...changed]);
    const days = previous === null ? [[Number.NEGATIVE_INFINITY, closedDay] as Range] : daysOf(hours, closedDay);

    const bound = (ms: number) => (Number.isFinite(ms) ? literal(ms) : `'-infinity'::timestamptz`);
    for (const store of BUCKET_STORES) {
      const from = store.windowed ? dayStart(keepFrom) : Number.NEGATIVE_INFINITY;
      const ranges = clip(store.bucket === "hour" ? hours : days, from);
      if (previous === null) await rows(`delete from ${store.table}`);
      else if (store.windowed) await rows(`delete from ${store.table} where ${store.bucket} < ${literal(from)}`);
      for (const [lo, hi] of ranges) await recompute(store, bound(lo), bound(hi), previous === null);
    }

    async function recompute(store: BucketStore, lo: string, hi: string, emptied: boolean) {
      const column = store.bucket;
      if (!emptied) await rows(`delete from ${store.table} where ${column} >= ${lo} and ${column} < ${hi}`);
      const into = store.columns ? `${store.table} (${store.columns})` : store.table;
      await rows(`insert into ${into} select * from (${store.buckets(lo, hi)}) b`);
    }

    // Per-tenant totals over the stored days: written with them, so they cover exactly the days before
    // closed_before's day.
    if (days.length > 0) {
      await rows(`delete from admin_tenant_usage_rollup`);
      await rows(TENANT_USAGE_TOTALS);
    }

    // Queue depth at the start of the window, stored for this hour's window and the next one's. It changes
    // only when a job queued before that start changes, which marks the job's queue hour.
    const windowStart = `(${literal(closedBefore)} - interval '30 days')`;
    const [stored] = await rows<{ next: boolean }>(
      `select exists (select from admin_queue_baseline_rollup where window_start = ${windowStart} + interval '1 hour') as next`,
    );
    const baselineTouched = dirty.hours.some((h) => h < closedBefore - 30 * DAY + HOUR);
    if (previous === null || baselineTouched || !stored.next) {
      await rows(`delete from admin_queue_baseline_rollup`);
      for (const ws of [windowStart, `(${windowStart} + interval '1 hour')`])
        await rows(`insert into admin_queue_baseline_rollup select ${ws}, tenant_id, n from (${queueBaseline(ws)}) b`);
    }

    // Duration percentiles: of every tenant on a rebuild, else of the tenants whose succeeded jobs changed.
    const tenants =
      previous === null
        ? (await rows<{ id: string }>(`select id from tenants`)).map((t) => t.id)
        : dirty.tenants.filter((t): t is string => t !== null);
    if (previous === null) await rows(`delete from admin_tenant_durations_rollup`);
    if (tenants.length > 0) {
      const list = `array[${tenants.map((t) => `'${t.replaceAll("'", "''")}'`).join(", ")}]::text[]`;
      if (previous !== null) await rows(`delete from admin_tenant_durations_rollup where tenant_id = any(${list})`);
      // A row for every such tenant, NULL when it has no succeeded job: the view computes live only for
      // tenants without a row (added since the last refresh).
      await rows(`
        insert into admin_tenant_durations_rollup
        select t.id, d.median_job_duration_s, d.p95_job_duration_s
        from tenants t
        left join admin_tenant_job_durations(${list}) d on d.tenant_id = t.id
        where t.id = any(${list})`);
    }

    await rows(`
      insert into admin_rollup_state (singleton, closed_before, refreshed_at)
      values (true, ${literal(closedBefore)}, clock_timestamp())
      on conflict (singleton) do update set closed_before = excluded.closed_before, refreshed_at = excluded.refreshed_at`);
    return {
      closedBefore: new Date(closedBefore),
      rebuilt: previous === null,
      hourRanges: hours.length,
      dayRanges: days.length,
      tenants: tenants.length,
    };
  });
}
