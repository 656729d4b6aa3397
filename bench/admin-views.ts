/**
 * Admin view latency at scale: seeds a fresh PostgreSQL database with (by default) 1,000,000 jobs over a year
 * and 20 events each (20,000,000 events) plus webhook deliveries, then reports the median EXPLAIN ANALYZE
 * execution time of each dashboard query over 5 runs. Before measuring it refreshes the views' stored
 * buckets (`refreshAdminRollups`: a full build on a fresh database, then an incremental pass), as the
 * `admin-rollups` background loop keeps them. Needs DATABASE_URL (a server where it may create a database).
 * Run:
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/admin-views.ts \
 *     [--jobs 1000000] [--events-per-job 20] [--span-days 365] [--tenants 50] [--keep] [--reuse <database>]
 * `--keep` leaves the database for more runs; `--reuse` measures an already seeded one.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import { refreshAdminRollups } from "../core/db/admin-rollups/refresh.ts";
import { connectDatabase } from "../core/db/connect.ts";
import { seedStatements } from "./admin-views/seed-sql.ts";
import { VIEW_QUERIES } from "./admin-views/view-queries.ts";

const RUNS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      jobs: { type: "string", default: "1000000" },
      "events-per-job": { type: "string", default: "20" },
      "span-days": { type: "string", default: "365" },
      tenants: { type: "string", default: "50" },
      keep: { type: "boolean", default: false },
      reuse: { type: "string" },
    },
  });
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) throw new Error("Set DATABASE_URL to a PostgreSQL server where the bench may create a database.");
  const name = values.reuse ?? `gt_bench_admin_${randomBytes(4).toString("hex")}`;
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const shape = {
    jobs: Number(values.jobs),
    eventsPerJob: Number(values["events-per-job"]),
    spanDays: Number(values["span-days"]),
    tenants: Number(values.tenants),
  };

  if (!values.reuse) await withClient(baseUrl, (c) => c.query(`create database ${name}`));
  // A reused database gets the migrations added since it was seeded (changed views are measured as they are now).
  const handle = await connectDatabase({ kind: "postgres", url: url.toString(), poolSize: 1 });
  await handle.migrate();
  if (!values.reuse) {
    await withClient(url.toString(), async (c) => {
      for (const step of seedStatements(shape)) {
        const start = performance.now();
        await c.query(step.sql);
        console.log(`seeded ${step.label} in ${((performance.now() - start) / 1000).toFixed(1)} s`);
      }
      const start = performance.now();
      await c.query("vacuum analyze");
      console.log(`vacuum analyze in ${((performance.now() - start) / 1000).toFixed(1)} s`);
    });
  }
  for (const label of ["first (full unless reused)", "incremental"]) {
    const start = performance.now();
    const r = await refreshAdminRollups(handle.db);
    console.log(`rollup refresh, ${label}: ${(performance.now() - start).toFixed(0)} ms`, r);
  }
  await handle.close();
  // Statistics for what the migrations and the refresh just built (expression indexes, the rollup tables),
  // as autovacuum would gather them.
  await withClient(url.toString(), (c) => c.query("analyze"));

  try {
    await withClient(url.toString(), async (c) => {
      const counts = await c.query(
        `select (select count(*) from jobs) as jobs, (select count(*) from job_events) as events,
          (select count(*) from webhook_attempts) as attempts,
          (select count(*) from jobs where created_at >= now() - interval '30 days') as jobs_30d`,
      );
      console.log(`database ${name}:`, counts.rows[0]);
      console.log(`\n| view | query | median execution ms (${RUNS} runs) | planning ms | rows |`);
      console.log("| --- | --- | ---: | ---: | ---: |");
      for (const q of VIEW_QUERIES) {
        const exec: number[] = [];
        const plan: number[] = [];
        let rows = 0;
        for (let i = 0; i < RUNS; i++) {
          const r = await c.query(`explain (analyze, format json) ${q.sql}`);
          const top = (
            r.rows[0] as {
              "QUERY PLAN": [{ "Execution Time": number; "Planning Time": number; Plan: { "Actual Rows": number } }];
            }
          )["QUERY PLAN"][0];
          exec.push(top["Execution Time"]);
          plan.push(top["Planning Time"]);
          rows = top.Plan["Actual Rows"];
        }
        console.log(`| ${q.view} | ${q.label} | ${median(exec).toFixed(1)} | ${median(plan).toFixed(1)} | ${rows} |`);
      }
    });
  } finally {
    if (!values.keep && !values.reuse)
      await withClient(baseUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
  }
}

await main();
