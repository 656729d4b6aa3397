import { createHash } from "node:crypto";
import { and, eq, lt } from "drizzle-orm";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Database, Transaction } from "../../core/db/database.ts";
import { idempotencyKeys } from "../../core/db/schema.ts";
import { badRequest, conflict } from "../../core/errors.ts";
import type { AppDeps, AppEnv } from "../deps.ts";

export const IDEMPOTENCY_HEADER = "idempotency-key";
export const REPLAYED_HEADER = "idempotent-replayed";

export interface StoredResponse<B> {
  status: ContentfulStatusCode;
  body: B;
}

export interface IdempotentOutcome<B> extends StoredResponse<B> {
  /** True when this is the stored response of an earlier request with the same key. */
  replayed: boolean;
}

/**
 * Stripe's `Idempotency-Key` semantics for a creating POST. The key is stored in the same transaction as
 * what the request creates, so a key exists exactly when its effect committed:
 * - same key, same request → the stored response again (with `Idempotent-Replayed: true`);
 * - same key, different request (body, method or path) → 409 `idempotency_key_reused`;
 * - concurrent identical requests → the database's unique key serialises them: one creates, the rest replay.
 * Requests that fail validation store nothing (as with Stripe), so a corrected retry may reuse the key.
 * `prepare` validates (no writes); `commit` writes inside the transaction and returns the response.
 * A replay sets the `Idempotent-Replayed: true` header on `c`.
 */
export async function withIdempotency<P, B extends object>(
  deps: AppDeps,
  c: Context<AppEnv>,
  body: unknown,
  steps: { prepare: () => Promise<P>; commit: (tx: Transaction, prepared: P) => Promise<StoredResponse<B>> },
): Promise<IdempotentOutcome<B>> {
  const key = c.req.header(IDEMPOTENCY_HEADER);
  if (key === undefined) {
    const prepared = await steps.prepare();
    const res = await deps.db.transaction((tx) => steps.commit(tx, prepared));
    return { ...res, replayed: false };
  }
  if (key.length < 1 || key.length > 255) {
    throw badRequest("invalid_idempotency_key", "Idempotency-Key must be 1 to 255 characters.", "Idempotency-Key");
  }
  const tenantId = c.get("tenant").id;
  const requestHash = hashRequest(c.req.method, c.req.path, body);

  const earlier = await findKey(deps.db, tenantId, key, deps.config.queue.idempotencyTtlMs);
  if (earlier) return replay<B>(c, earlier, requestHash);

  const prepared = await steps.prepare();
  const outcome = await deps.db.transaction(async (tx) => {
    const [claimed] = await tx
      .insert(idempotencyKeys)
      .values({ tenantId, key, method: c.req.method, path: c.req.path, requestHash })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    // Another request with this key committed first (we waited for it on the unique key): replay it.
    if (!claimed) return null;
    const res = await steps.commit(tx, prepared);
    await tx
      .update(idempotencyKeys)
      .set({ responseStatus: res.status, responseBody: res.body, completedAt: new Date() })
      .where(and(eq(idempotencyKeys.tenantId, tenantId), eq(idempotencyKeys.key, key)));
    return res;
  });
  if (outcome) return { ...outcome, replayed: false };
  const winner = await findKey(deps.db, tenantId, key, Number.POSITIVE_INFINITY);
  if (!winner) throw new Error("idempotency key vanished after a conflict");
  return replay<B>(c, winner, requestHash);
}

type KeyRow = typeof idempotencyKeys.$inferSelect;

async function findKey(db: Database, tenantId: string, key: string, ttlMs: number): Promise<KeyRow | null> {
  const [row] = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.tenantId, tenantId), eq(idempotencyKeys.key, key)));
  if (!row) return null;
  if (Date.now() - row.createdAt.getTime() > ttlMs) {
    // Expired: forget it, the request runs afresh.
    await db
      .delete(idempotencyKeys)
      .where(
        and(
          eq(idempotencyKeys.tenantId, tenantId),
          eq(idempotencyKeys.key, key),
          lt(idempotencyKeys.createdAt, new Date(Date.now() - ttlMs)),
        ),
      );
    return null;
  }
  return row;
}

function replay<B>(c: Context<AppEnv>, row: KeyRow, requestHash: string): IdempotentOutcome<B> {
  if (row.requestHash !== requestHash) {
    throw conflict(
      "idempotency_key_reused",
      `Idempotency-Key '${row.key}' was already used for a different request (${row.method} ${row.path} with other parameters). Use a new key for a new request.`,
      "Idempotency-Key",
    );
  }
  if (row.responseStatus === null) throw new Error("idempotency key committed without a response");
  c.header(REPLAYED_HEADER, "true");
  return { status: row.responseStatus as ContentfulStatusCode, body: row.responseBody as B, replayed: true };
}

/** Method, path and the body as canonical JSON (object keys sorted), hashed. */
export function hashRequest(method: string, path: string, body: unknown): string {
  return createHash("sha256")
    .update(`${method} ${path}\n${canonicalJson(body)}`)
    .digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Forgets keys older than the TTL (the sweeper calls this). */
export async function expireIdempotencyKeys(db: Database, ttlMs: number): Promise<number> {
  const gone = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, new Date(Date.now() - ttlMs)))
    .returning({ key: idempotencyKeys.key });
  return gone.length;
}
