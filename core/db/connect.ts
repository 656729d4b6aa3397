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
  /**
   * Calls `onNotify` for every Postgres NOTIFY on `channel` (LISTEN) until the returned function is called.
   * Notifications are hints, not a delivery guarantee: a lost connection stops them (reported to `onError`),
   * so callers poll as well.
   */
  listen: ListenFn;
  close(): Promise<void>;
}

export type ListenFn = (
  channel: string,
  onNotify: () => void,
  onError?: (err: Error) => void,
) => Promise<() => Promise<void>>;

/** Channel names are interpolated into LISTEN (it takes no parameters): only plain identifiers pass. */
function checkChannel(channel: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`listen: invalid channel name ${JSON.stringify(channel)}`);
  return channel;
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
      listen: async (channel, onNotify) => {
        const unlisten = await client.listen(checkChannel(channel), () => onNotify());
        return () => unlisten();
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
  // pg-pool listens for errors only on idle clients. A checked-out client between two queries (a transaction
  // doing work in JavaScript) that sees the server go away (restart, failover: 57P01) would emit 'error' with no
  // listener and end the process. Its in-flight or next query fails instead, and the pool drops it on release.
  pool.on("connect", (client) => client.on("error", () => undefined));
  const db = drizzlePg(pool, { schema });
  let closed = false;
  return {
    db: db as unknown as Database,
    kind: "postgres",
    migrate: () => migratePg(db, { migrationsFolder: MIGRATIONS_DIR }),
    ping: async () => {
      await pool.query("select 1");
    },
    listen: async (channel, onNotify, onError) => {
      // LISTEN needs one connection held for as long as we listen.
      const conn = await pool.connect();
      conn.on("notification", (msg) => {
        if (msg.channel === channel) onNotify();
      });
      conn.on("error", (err) => onError?.(err));
      await conn.query(`LISTEN ${checkChannel(channel)}`);
      return async () => {
        try {
          await conn.query(`UNLISTEN ${channel}`);
          conn.release();
        } catch (err) {
          conn.release(err instanceof Error ? err : true);
        }
      };
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
