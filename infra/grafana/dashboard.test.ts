import { readFile } from "node:fs/promises";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { refreshAdminRollups } from "../../core/db/admin-rollups/refresh.ts";
import type { Database } from "../../core/db/database.ts";
import { seedAdminData } from "../../test/helpers/admin-seed.ts";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/test-db.ts";

const DIR = import.meta.dirname;

interface Target {
  refId: string;
  rawSql: string;
  format: "time_series" | "table";
  datasource: { uid: string };
}
interface Dashboard {
  panels: { title: string; type: string; datasource: { uid: string }; targets: Target[] }[];
  templating: { list: { name: string; query: string; datasource: { uid: string } }[] };
}

const FROM = new Date(Date.now() - 7 * 86_400_000).toISOString();
const TO = new Date().toISOString();

/**
 * The SQL Grafana would send: its macros and the `$tenant` variable replaced as Grafana's PostgreSQL data
 * source does (a single-value variable is inserted as is; the query quotes it). Any other `$` macro fails.
 */
function interpolate(rawSql: string, tenant: string): string {
  const out = rawSql
    .replace(/\$__timeFilter\(([^)]+)\)/g, (_, col: string) => `${col} BETWEEN '${FROM}' AND '${TO}'`)
    .replace(/\$__timeFrom\(\)/g, `'${FROM}'`)
    .replace(/\$__timeTo\(\)/g, `'${TO}'`)
    .replace(/\$tenant\b/g, tenant);
  const unknown = out.match(/\$[_a-zA-Z{]\w*/);
  if (unknown) throw new Error(`unsupported Grafana macro or variable ${unknown[0]} in:\n${rawSql}`);
  return out;
}

/** Runs `query` as guardtune_readonly, the role behind the provisioned data source, and rolls back. */
async function asReadonly(db: Database, query: string): Promise<Record<string, unknown>[]> {
  let rows: Record<string, unknown>[] = [];
  const rollback = new Error("rollback");
  await db
    .transaction(async (tx) => {
      await tx.execute(sql`set local role guardtune_readonly`);
      rows = ((await tx.execute(sql.raw(query))) as unknown as { rows: Record<string, unknown>[] }).rows;
      throw rollback;
    })
    .catch((e: unknown) => {
      if (e !== rollback) throw e;
    });
  return rows;
}

describe(`the Grafana dashboard on ${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"}`, () => {
  let database: TestDatabase;
  let dashboard: Dashboard;
  beforeAll(async () => {
    dashboard = JSON.parse(await readFile(path.join(DIR, "dashboards/guardtune-admin.json"), "utf8")) as Dashboard;
    database = await createTestDatabase();
    await seedAdminData(database.db);
    await refreshAdminRollups(database.db);
  }, 300_000);
  afterAll(() => database?.close());

  it("reads the provisioned data source (by uid) as the read-only login", async () => {
    const provisioned = parse(await readFile(path.join(DIR, "provisioning/datasources/guardtune.yaml"), "utf8")) as {
      datasources: { uid: string; user: string }[];
    };
    const uids = new Set(provisioned.datasources.map((d) => d.uid));
    for (const panel of dashboard.panels) {
      expect(uids.has(panel.datasource.uid), panel.title).toBe(true);
      for (const t of panel.targets) expect(uids.has(t.datasource.uid), `${panel.title} ${t.refId}`).toBe(true);
    }
    expect(provisioned.datasources[0].user).toBe("grafana");
  });

  it("has the /admin panels", () => {
    const sources = dashboard.panels.flatMap((p) => p.targets.map((t) => t.rawSql)).join("\n");
    for (const view of [
      "admin_jobs_hourly",
      "admin_job_latency_hourly",
      "admin_queue_depth_hourly",
      "admin_tenant_daily",
      "admin_failure_codes_daily",
      "admin_webhook_daily",
      "admin_safety_by_safeguard",
      "admin_tenant_safety",
      "admin_gated_jobs",
    ])
      expect(sources).toContain(view);
  });

  it("runs every panel query and the tenant variable, for all tenants and for one, with rows", async () => {
    const variable = dashboard.templating.list.find((v) => v.name === "tenant")!;
    const tenants = await asReadonly(database.db, interpolate(variable.query, ""));
    expect(tenants.map((t) => t.__value)).toEqual(["", "ten_1", "ten_2", "ten_3", "ten_4"]);
    for (const panel of dashboard.panels)
      for (const target of panel.targets)
        for (const tenant of ["", "ten_1"]) {
          const label = `${panel.title} (${target.refId}, tenant '${tenant}')`;
          const rows = await asReadonly(database.db, interpolate(target.rawSql, tenant)).catch((e: unknown) => {
            throw new Error(`${label}: ${String((e as { cause?: unknown }).cause ?? e)}`, { cause: e });
          });
          expect(rows.length, label).toBeGreaterThan(0);
          if (target.format === "time_series") {
            // Grafana's time series need a time column, numbers, and at most one text column (the series name).
            // Raw queries come back as the driver gives them: timestamps and bigints may be strings.
            expect(Number.isNaN(new Date(rows[0].time as string).getTime()), label).toBe(false);
            const text = Object.entries(rows[0]).filter(
              ([k, v]) => k !== "time" && typeof v === "string" && Number.isNaN(Number(v)),
            );
            expect(
              text.map(([k]) => k),
              label,
            ).toEqual(text.length ? ["metric"] : []);
          }
        }
  });
});
