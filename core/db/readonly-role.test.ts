import { sql, type SQL } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/test-db.ts";
import type { Database } from "./database.ts";

type Rows<T> = { rows: T[] };

/** Runs `query` as guardtune_readonly inside a transaction that is always rolled back. */
async function asReadonly(db: Database, query: SQL): Promise<unknown[]> {
  const rollback = new Error("rollback");
  let rows: unknown[] = [];
  try {
    await db.transaction(async (tx) => {
      await tx.execute(sql`set local role guardtune_readonly`);
      rows = ((await tx.execute(query)) as unknown as Rows<unknown>).rows;
      throw rollback;
    });
  } catch (e) {
    if (e !== rollback) throw e;
  }
  return rows;
}

/** The database's own message: drizzle wraps driver errors as "Failed query: …" with the error as `cause`. */
async function refusal(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (e) {
    const cause = (e as { cause?: { message?: unknown } }).cause;
    return String(cause?.message ?? e);
  }
  return "succeeded";
}

const names = async (db: Database, query: SQL) =>
  ((await db.execute(query)) as unknown as Rows<{ name: string }>).rows.map((r) => r.name);

// PGlite is PostgreSQL compiled to WebAssembly with the same role and privilege system, so this runs on both.
describe(`guardtune_readonly on ${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"}`, () => {
  let database: TestDatabase;
  let views: string[];
  let tables: string[];
  beforeAll(async () => {
    database = await createTestDatabase();
    views = await names(
      database.db,
      sql`select viewname as name from pg_views where schemaname = 'public' and viewname like 'admin\_%' order by 1`,
    );
    tables = await names(
      database.db,
      sql`select tablename as name from pg_tables where schemaname in ('public', 'drizzle') order by 1`,
    );
  });
  afterAll(() => database?.close());

  it("exists and cannot log in", async () => {
    const rows = (await database.db.execute(
      sql`select rolcanlogin, rolsuper, rolcreaterole, rolcreatedb from pg_roles where rolname = 'guardtune_readonly'`,
    )) as unknown as Rows<Record<string, boolean>>;
    expect(rows.rows).toEqual([{ rolcanlogin: false, rolsuper: false, rolcreaterole: false, rolcreatedb: false }]);
  });

  it("reads every admin view", async () => {
    expect(views.length).toBeGreaterThanOrEqual(13);
    for (const view of views) {
      await expect(
        asReadonly(database.db, sql.raw(`select * from public.${view} limit 1`)),
        view,
      ).resolves.toBeDefined();
    }
  });

  it("reads no table: not api_keys, datasets, webhook secrets or the migration journal", async () => {
    expect(tables).toEqual(expect.arrayContaining(["api_keys", "datasets", "jobs", "webhook_endpoints"]));
    for (const table of tables) {
      const schema = table === "__drizzle_migrations" ? "drizzle" : "public";
      const message = await refusal(asReadonly(database.db, sql.raw(`select * from ${schema}.${table} limit 1`)));
      expect(message, table).toMatch(/permission denied/);
    }
  });

  it("cannot write through a view, into a table or create objects", async () => {
    for (const statement of [
      `delete from public.admin_job_failures`,
      `update public.admin_gated_jobs set passed = true`,
      `insert into public.tenants (id, name) values ('ten_x', 'x')`,
      `update public.jobs set status = 'failed'`,
      `create table public.ro_probe (x int)`,
      `create view public.admin_probe as select 1 as x`,
    ]) {
      const message = await refusal(asReadonly(database.db, sql.raw(statement)));
      expect(message, statement).toMatch(/permission denied|must be owner|cannot delete from view|cannot update view/);
    }
  });
});
