import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Database } from "./database.ts";
import { createTestDatabase } from "../../test/helpers/test-db.ts";
import { MIGRATIONS_DIR } from "./connect.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

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

describe("migrations/ and core/db/schema/", () => {
  // A schema change without `npm run db:generate` would ship tables the migrations never create.
  it("agree: drizzle-kit generates nothing new from the schema into a copy of migrations/", async () => {
    const copy = await mkdtemp(path.join(tmpdir(), "guardtune-migrations-"));
    try {
      await cp(MIGRATIONS_DIR, copy, { recursive: true });
      const before = (await readdir(copy, { recursive: true })).sort();
      // drizzle-kit resolves --out against the working directory, so it gets a relative path.
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          path.join(ROOT, "node_modules/drizzle-kit/bin.cjs"),
          "generate",
          "--dialect",
          "postgresql",
          "--schema",
          "./core/db/schema.ts",
          "--out",
          path.relative(ROOT, copy),
        ],
        { cwd: ROOT },
      );
      const after = (await readdir(copy, { recursive: true })).sort();
      expect(after, `schema changes without a migration — run npm run db:generate:\n${stdout}`).toEqual(before);
      expect(stdout).toContain("No schema changes");
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  }, 300_000);
});
