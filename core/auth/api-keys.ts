import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Queryable } from "../db/database.ts";
import { apiKeys, tenants, type ApiKeyScope } from "../db/schema.ts";
import { ID_PREFIX, newId } from "../ids.ts";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
export const API_KEY_PATTERN = /^gt_[A-Za-z0-9]{32,64}$/;
/** The stored lookup prefix: `gt_` and the next 9 characters. */
export const keyPrefix = (key: string) => key.slice(0, 12);
export const hashKey = (key: string) => createHash("sha256").update(key).digest("hex");

export function generateApiKey(): string {
  const bytes = randomBytes(40);
  let out = "gt_";
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}

export function keyMatches(key: string, storedHash: string): boolean {
  const a = Buffer.from(hashKey(key), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Finds or creates the tenant by name. */
export async function ensureTenant(db: Queryable, name: string): Promise<{ id: string; name: string }> {
  const existing = await db.select().from(tenants).where(eq(tenants.name, name));
  if (existing[0]) return existing[0];
  const inserted = await db
    .insert(tenants)
    .values({ id: newId(ID_PREFIX.tenant), name })
    .onConflictDoNothing()
    .returning();
  if (inserted[0]) return inserted[0];
  const again = await db.select().from(tenants).where(eq(tenants.name, name));
  return again[0];
}

/**
 * Creates an API key for a tenant (creating the tenant if needed). Pass `key` to register a known key
 * (the deterministic bootstrap key); registering the same key twice is a no-op. `scopes: ["admin"]` lets the
 * key build service-wide reference kits.
 */
export async function createApiKey(
  db: Queryable,
  opts: { tenant: string; name?: string; key?: string; scopes?: readonly ApiKeyScope[] },
): Promise<{ key: string; id: string; tenantId: string; created: boolean }> {
  const key = opts.key ?? generateApiKey();
  if (!API_KEY_PATTERN.test(key)) throw new Error("API keys must be gt_ followed by 32 to 64 letters or digits");
  const tenant = await ensureTenant(db, opts.tenant);
  const prefix = keyPrefix(key);
  const existing = await db.select().from(apiKeys).where(eq(apiKeys.prefix, prefix));
  if (existing[0]) {
    if (existing[0].tenantId === tenant.id && keyMatches(key, existing[0].keyHash)) {
      return { key, id: existing[0].id, tenantId: tenant.id, created: false };
    }
    throw new Error("an API key with the same prefix already exists; generate another key");
  }
  const id = newId(ID_PREFIX.apiKey);
  await db.insert(apiKeys).values({
    id,
    tenantId: tenant.id,
    name: opts.name ?? "default",
    prefix,
    keyHash: hashKey(key),
    scopes: [...(opts.scopes ?? [])],
  });
  return { key, id, tenantId: tenant.id, created: true };
}

export async function revokeApiKey(db: Queryable, id: string): Promise<void> {
  await db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, id));
}
