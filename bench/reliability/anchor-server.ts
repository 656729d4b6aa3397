/**
 * The load scenario's anchor: a bare Hono + pg server that runs the SQL `guardtune serve` runs for
 * `POST /v1/jobs`, `GET /v1/jobs/{id}` and `GET /v1/jobs?status=…` — API-key lookup and last-used update,
 * dataset check, then one transaction (dataset share lock, job row, two events, queue intent) — with no
 * validation framework, no ORM, no middleware, no background loops. Run as its own process, like the API:
 *   DATABASE_URL=… ANCHOR_POOL_SIZE=10 tsx bench/reliability/anchor-server.ts
 */
import { createHash, randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import pg from "pg";

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.ANCHOR_POOL_SIZE ?? 10),
});
const id = (prefix: string) => `${prefix}_${Date.now().toString(36)}${randomBytes(8).toString("hex")}`;

async function tenantOf(auth: string | undefined): Promise<string | null> {
  const key = /^Bearer\s+(\S+)$/i.exec(auth ?? "")?.[1];
  if (!key) return null;
  const { rows } = await pool.query(
    "select k.id, k.key_hash, k.revoked_at, t.id as tenant_id from api_keys k join tenants t on t.id = k.tenant_id where k.prefix = $1",
    [key.slice(0, 12)],
  );
  const row = rows[0];
  if (!row || row.key_hash !== createHash("sha256").update(key).digest("hex") || row.revoked_at) return null;
  pool.query("update api_keys set last_used_at = now() where id = $1", [row.id]).catch(() => undefined);
  return row.tenant_id as string;
}

const app = new Hono();
app.post("/v1/jobs", async (c) => {
  const tenant = await tenantOf(c.req.header("authorization"));
  if (!tenant) return c.json({ error: "unauthorized" }, 401);
  const body = await c.req.json<{ model: string; training_dataset: string; metadata?: Record<string, string> }>();
  const { rows: ds } = await pool.query("select status, purpose from datasets where id = $1 and tenant_id = $2", [
    body.training_dataset,
    tenant,
  ]);
  if (ds[0]?.status !== "ready") return c.json({ error: "dataset_not_ready" }, 422);
  const client = await pool.connect();
  try {
    await client.query("begin");
    await client.query("select id from datasets where id = any($1) and tenant_id = $2 and status = 'ready' for share", [
      [body.training_dataset],
      tenant,
    ]);
    const jobId = id("ftjob");
    const { rows } = await client.query(
      `insert into jobs (id, tenant_id, status, model, training_dataset_id, config, metadata, created_at, updated_at, queued_at, event_seq)
       values ($1, $2, 'queued', $3, $4, $5, $6, now(), now(), now(), 2) returning *`,
      [jobId, tenant, body.model, body.training_dataset, JSON.stringify(body), JSON.stringify(body.metadata ?? {})],
    );
    await client.query(
      `insert into job_events (id, job_id, seq, type, message, data, created_at) values
       ($1, $3, 1, 'job.created', 'Created.', '{"status":"validating_files"}', now()),
       ($2, $3, 2, 'job.queued', 'Queued.', '{"status":"queued"}', now())`,
      [id("ftevent"), id("ftevent"), jobId],
    );
    await client.query("insert into job_queue_outbox (job_id, attempt, body) values ($1, 1, $2)", [
      jobId,
      JSON.stringify({ job_id: jobId, attempt: 1 }),
    ]);
    await client.query("commit");
    return c.json(rows[0], 201);
  } catch (err) {
    await client.query("rollback").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
});
app.get("/v1/jobs/:id", async (c) => {
  const tenant = await tenantOf(c.req.header("authorization"));
  if (!tenant) return c.json({ error: "unauthorized" }, 401);
  const { rows } = await pool.query("select * from jobs where id = $1 and tenant_id = $2", [c.req.param("id"), tenant]);
  return rows[0] ? c.json(rows[0]) : c.json({ error: "not_found" }, 404);
});
app.get("/v1/jobs", async (c) => {
  const tenant = await tenantOf(c.req.header("authorization"));
  if (!tenant) return c.json({ error: "unauthorized" }, 401);
  const limit = Number(c.req.query("limit") ?? 20);
  const statuses = c.req.queries("status") ?? [];
  const { rows } = await pool.query(
    `select * from jobs where tenant_id = $1 ${statuses.length ? "and status = any($3)" : ""} order by id desc limit $2`,
    statuses.length ? [tenant, limit + 1, statuses] : [tenant, limit + 1],
  );
  return c.json({ data: rows.slice(0, limit), has_more: rows.length > limit });
});

const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, () => {
  process.stdout.write(`anchor listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.once("SIGTERM", () => {
  server.close();
  void pool.end();
});
