import { eq } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { API_KEY_PATTERN, keyMatches, keyPrefix } from "../../core/auth/api-keys.ts";
import { apiKeys, tenants } from "../../core/db/schema.ts";
import { ApiError } from "../../core/errors.ts";
import type { AppDeps, AppEnv } from "../deps.ts";

const unauthorized = (detail: string) =>
  new ApiError({ status: 401, code: "invalid_api_key", title: "Unauthorized", detail });

/** Bearer API-key authentication; the request runs as the key's tenant. Any failure is a 401. */
export function apiKeyAuth(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization");
    if (!header) throw unauthorized("Missing Authorization header. Send 'Authorization: Bearer gt_...'.");
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthorized("Malformed Authorization header. Expected 'Bearer gt_...'.");
    const key = match[1];
    if (!API_KEY_PATTERN.test(key))
      throw unauthorized("Malformed API key. Keys look like 'gt_' followed by 40 letters or digits.");
    const rows = await deps.db
      .select({ key: apiKeys, tenant: tenants })
      .from(apiKeys)
      .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
      .where(eq(apiKeys.prefix, keyPrefix(key)));
    const row = rows[0];
    if (!row || !keyMatches(key, row.key.keyHash)) throw unauthorized("Unknown API key.");
    if (row.key.revokedAt) throw unauthorized("This API key has been revoked.");
    c.set("tenant", row.tenant);
    c.set("apiKeyId", row.key.id);
    c.set("scopes", row.key.scopes);
    // Last-used is advisory: a failed update must not fail the request.
    deps.db
      .update(apiKeys)
      .set({ lastUsedAt: new Date() })
      .where(eq(apiKeys.id, row.key.id))
      .catch(() => undefined);
    await next();
  };
}
