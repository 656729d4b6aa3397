import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../../core/errors.ts";
import type { AppEnv } from "../deps.ts";
import { problemResponse } from "../http/problem.ts";

/** Browsers show this realm in their password prompt. */
export const ADMIN_REALM = "guardtune admin";

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest();

/** Compares digests, so neither the key's length nor its prefix leaks through timing. */
function matchesKey(candidate: string, keyDigest: Buffer): boolean {
  return timingSafeEqual(sha256(candidate), keyDigest);
}

/** The secret a request presents: a Bearer token, or the password of HTTP Basic (any user name). */
function presentedSecret(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}

/**
 * Guards the admin dashboard with `GUARDTUNE_ADMIN_KEY`. Without a key configured the dashboard does not
 * exist (404); a missing or wrong key is a 401 with a Basic challenge so that browsers prompt for it.
 */
export function adminAuth(adminKey: string | undefined): MiddlewareHandler<AppEnv> {
  const keyDigest = adminKey === undefined ? undefined : sha256(adminKey);
  return async (c, next) => {
    if (!keyDigest) {
      return problemResponse(
        c,
        new ApiError({
          status: 404,
          code: "admin_disabled",
          title: "Not Found",
          detail:
            "The admin dashboard is disabled. Set GUARDTUNE_ADMIN_KEY to gt_ followed by 32 to 64 letters or digits " +
            "and restart guardtune to enable it.",
        }),
      );
    }
    const secret = presentedSecret(c.req.header("authorization"));
    if (secret === undefined || !matchesKey(secret, keyDigest)) {
      return problemResponse(
        c,
        new ApiError({
          status: 401,
          code: "invalid_admin_key",
          title: "Unauthorized",
          detail:
            secret === undefined
              ? "Admin credentials required: send 'Authorization: Bearer <GUARDTUNE_ADMIN_KEY>' or use HTTP Basic with the key as password."
              : "Wrong admin key.",
        }),
        { "www-authenticate": `Basic realm="${ADMIN_REALM}"` },
      );
    }
    await next();
  };
}
