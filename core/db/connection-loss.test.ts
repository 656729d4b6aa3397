import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/test-db.ts";

/**
 * A server restart terminates every backend (57P01). A connection checked out of the pool at that moment —
 * inside a transaction, between two queries — must fail its queries, not emit an unhandled 'error' that ends
 * the process (which is what took the API and the runner down in the reliability suite's restart scenario).
 */
const hasPostgres = Boolean(process.env.DATABASE_URL);

let database: TestDatabase;
beforeAll(async () => {
  if (hasPostgres) database = await createTestDatabase();
});
afterAll(async () => database?.close());

describe.skipIf(!hasPostgres)("losing the server under a checked-out connection (PostgreSQL)", () => {
  it("fails that transaction, keeps the process up and serves the next query on a new connection", async () => {
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const tx = database.db.transaction(async (t) => {
        const { rows } = (await t.execute(sql`select pg_backend_pid() as pid`)) as unknown as {
          rows: { pid: number }[];
        };
        const pid = rows[0].pid;
        await admin.query("select pg_terminate_backend($1)", [pid]);
        // Wait (between queries, as a transaction doing JavaScript work does) until the backend is gone: the
        // client has then received the termination while nothing of ours was in flight.
        for (;;) {
          const { rowCount } = await admin.query("select 1 from pg_stat_activity where pid = $1", [pid]);
          if (rowCount === 0) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        await new Promise((r) => setImmediate(r));
        await t.execute(sql`select 1`);
      });
      await expect(tx).rejects.toThrow();
      await expect(database.ping()).resolves.toBeUndefined();
      const { rows } = (await database.db.execute(sql`select 1 as one`)) as unknown as { rows: { one: number }[] };
      expect(rows[0].one).toBe(1);
    } finally {
      await admin.end();
    }
  });
});
