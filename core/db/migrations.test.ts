import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Database } from "./database.ts";
import { createTestDatabase } from "../../test/helpers/test-db.ts";

const TABLES = [
  "tenants",
  "api_keys",
  "datasets",
  "jobs",
  "job_events",
  "checkpoints",
  "artifacts",
  "webhook_endpoints",
  "webhook_deliveries",
  "idempotency_keys",
];

async function tableNames(db: Database): Promise<string[]> {
  // Both drivers return { rows }; the generic query-result type of PgDatabase does not say so.
  const result = (await db.execute(
    sql`select table_name from information_schema.tables where table_schema = 'public'`,
  )) as unknown as {
    rows: Array<{ table_name: string }>;
  };
  return result.rows.map((r) => r.table_name);
}

describe("migrations", () => {
  it(`apply from empty on ${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"} and again as a no-op`, async () => {
    const database = await createTestDatabase();
    try {
      const names = (await tableNames(database.db)).sort();
      for (const table of TABLES) expect(names).toContain(table);
      await database.migrate();
      expect((await tableNames(database.db)).sort()).toEqual(names);
    } finally {
      await database.close();
    }
  });

  it("enforces job statuses and per-job event order in the database", async () => {
    const database = await createTestDatabase();
    try {
      await database.db.execute(sql`insert into tenants (id, name) values ('ten_1', 't1')`);
      await expect(
        database.db.execute(
          sql`insert into jobs (id, tenant_id, status, model, config) values ('ftjob_1', 'ten_1', 'exploded', 'm', '{}'::jsonb)`,
        ),
      ).rejects.toThrow();
    } finally {
      await database.close();
    }
  });
});
