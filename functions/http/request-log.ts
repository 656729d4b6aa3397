import type { MiddlewareHandler } from "hono";
import type { AppDeps, AppEnv } from "../deps.ts";

/** Logs one line per request (id, method, path, status, duration, tenant) after it was answered. */
export function requestLog(deps: Pick<AppDeps, "logger">): MiddlewareHandler<AppEnv> {
  return async function logRequest(c, next) {
    const start = performance.now();
    await next();
    deps.logger.info(
      {
        requestId: c.get("requestId"),
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - start),
        tenant: c.get("tenant")?.id,
      },
      "request",
    );
  };
}
