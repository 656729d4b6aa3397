import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import type { DatabaseConfig } from "../config/load-config.ts";
import type { Database } from "./database.ts";
import * as schema from "./schema.ts";

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../migrations");

export interface DatabaseHandle {
  db: Database;
  kind: DatabaseConfig["kind"];
  /** Runs the SQL migrations in `migrations/` that have not been applied yet. */
  migrate(): Promise<void>;
  /** A cheap round trip, for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function connectDatabase(config: DatabaseConfig): Promise<DatabaseHandle> {
  if (config.kind === "pglite") {
    const dataDir = config.dataDir === "memory" ? undefined : config.dataDir;
    if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
    const client = dataDir ? new PGlite(dataDir) : new PGlite();
    await client.waitReady;
    const db = drizzlePglite(client, { schema });
    let closed = false;
    return {
      db: db as unknown as Database,
      kind: "pglite",
      migrate: () => migratePglite(db, { migrationsFolder: MIGRATIONS_DIR }),
      ping: async () => {
        await client.query("select 1");
      },
      close: async () => {
        if (closed) return;
        closed = true;
        await client.close();
      },
    };
  }
  const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize });
  // An idle client's network error must not crash the process; the next query reports it.
  pool.on("error", () => undefined);
  const db = drizzlePg(pool, { schema });
  let closed = false;
  return {
    db: db as unknown as Database,
    kind: "postgres",
    migrate: () => migratePg(db, { migrationsFolder: MIGRATIONS_DIR }),
    ping: async () => {
      await pool.query("select 1");
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
