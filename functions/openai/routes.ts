import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppDeps, AppEnv } from "../deps.ts";
import { createRouter } from "../http/router.ts";

export function openaiRoutes(_deps: AppDeps): OpenAPIHono<AppEnv> {
  return createRouter();
}
