import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppDeps, AppEnv } from "../deps.ts";
import { createRouter } from "../http/router.ts";
import { filesRoutes } from "./files-routes.ts";
import { fineTuningJobRoutes } from "./fine-tuning-jobs.ts";

/** The OpenAI-compatible routes: `/v1/files` and `/v1/fine_tuning/jobs`. */
export function openaiRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = createRouter();
  app.route("/", filesRoutes(deps));
  app.route("/", fineTuningJobRoutes(deps));
  return app;
}
