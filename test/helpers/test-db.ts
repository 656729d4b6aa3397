import { randomBytes } from "node:crypto";
import pg from "pg";
import { connectDatabase, type DatabaseHandle } from "../../core/db/connect.ts";

export interface TestDatabase extends DatabaseHandle {
  /** The connection string of the isolated database (postgres) or "memory" (PGlite). */
  url: string;
}

/**
 * An isolated, migrated database for one test file: a fresh in-memory PGlite, or — when DATABASE_URL is
 * set (as in CI's second run) — a new database on that server, dropped again by `close()`.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    const handle = await connectDatabase({ kind: "pglite", dataDir: "memory" });
    await handle.migrate();
    return { ...handle, url: "memory" };
  }
  const name = `gt_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const handle = await connectDatabase({ kind: "postgres", url: url.toString(), poolSize: 5 });
  await handle.migrate();
  return {
    ...handle,
    url: url.toString(),
    close: async () => {
      await handle.close();
      const dropper = new pg.Client({ connectionString: baseUrl });
      await dropper.connect();
      try {
        await dropper.query(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
