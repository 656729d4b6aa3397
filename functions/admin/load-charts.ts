import { and, asc, eq, gte, isNull, type Column, type SQL } from "drizzle-orm";
import type { Database } from "../../core/db/database.ts";
import { adminJobLatencyHourly, adminJobsHourly, adminQueueDepthHourly } from "../../core/db/schema.ts";
import type { AdminFilters } from "./admin-filters.ts";
import type { Series } from "./svg-line-chart.ts";

const HOUR = 3_600_000;

export interface ChartData {
  statusPerHour: Series[];
  queueDepth: Series[];
  queueWait: Series[];
  throughput: Series[];
  runTime: Series[];
}

/** Every hour from `from` to the current hour, for filling buckets the views leave out. */
function hours(f: AdminFilters): number[] {
  const out: number[] = [];
  for (let t = f.from; t <= f.to; t += HOUR) out.push(t);
  return out;
}

const byHour = <R extends { hour: Date }>(rows: readonly R[]) => new Map(rows.map((r) => [r.hour.getTime(), r]));

/** The time series of the overview, for one tenant or all (the views' NULL-tenant rows). */
export async function loadCharts(db: Database, f: AdminFilters): Promise<ChartData> {
  const tenantIs = (column: Column): SQL => (f.tenant ? eq(column, f.tenant) : isNull(column));
  const since = new Date(f.from);
  const [jobRows, latencyRows, depthRows] = await Promise.all([
    db
      .select()
      .from(adminJobsHourly)
      .where(and(tenantIs(adminJobsHourly.tenantId), gte(adminJobsHourly.hour, since))),
    db
      .select()
      .from(adminJobLatencyHourly)
      .where(and(tenantIs(adminJobLatencyHourly.tenantId), gte(adminJobLatencyHourly.hour, since))),
    // All 30 days: the depth before the range carries forward into it.
    db
      .select()
      .from(adminQueueDepthHourly)
      .where(tenantIs(adminQueueDepthHourly.tenantId))
      .orderBy(asc(adminQueueDepthHourly.hour)),
  ]);
  const hs = hours(f);
  const jobs = byHour(jobRows);
  const latency = byHour(latencyRows);
  const count = (name: string, pick: (r: (typeof jobRows)[number]) => number): Series => ({
    name,
    points: hs.map((h) => [h, jobs.has(h) ? pick(jobs.get(h)!) : 0] as const),
  });
  const gap = (name: string, pick: (r: (typeof latencyRows)[number]) => number | null): Series => ({
    name,
    points: hs.map((h) => [h, latency.has(h) ? pick(latency.get(h)!) : null] as const),
  });
  let depth = 0;
  let k = 0;
  const depthPoints = hs.map((h) => {
    while (k < depthRows.length && depthRows[k].hour.getTime() <= h) depth = depthRows[k++].depth;
    return [h, depth] as const;
  });
  return {
    statusPerHour: [
      count("created", (r) => r.created),
      count("succeeded", (r) => r.succeeded),
      count("failed", (r) => r.failed),
      count("cancelled", (r) => r.cancelled),
    ],
    queueDepth: [{ name: "jobs waiting", points: depthPoints }],
    queueWait: [gap("p50", (r) => r.queueWaitP50S), gap("p95", (r) => r.queueWaitP95S)],
    throughput: [count("trained tokens", (r) => r.trainedTokens)],
    runTime: [gap("p50", (r) => r.runP50S), gap("p95", (r) => r.runP95S)],
  };
}
