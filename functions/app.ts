import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { ApiError } from "../core/errors.ts";
import { adminRoutes } from "./admin/routes.ts";
import { datasetRoutes } from "./datasets/routes.ts";
import type { AppDeps, AppEnv } from "./deps.ts";
import { docsRoutes } from "./docs/routes.ts";
import { healthRoutes } from "./health/routes.ts";
import { apiKeyAuth } from "./http/auth.ts";
import { jsonBodyLimit } from "./http/json-body-limit.ts";
import { emptyJsonBody } from "./http/empty-json-body.ts";
import { createHttpMetrics } from "./http/metrics.ts";
import { problemResponse } from "./http/problem.ts";
import { requestLog } from "./http/request-log.ts";
import { createRouter } from "./http/router.ts";
import { jobRoutes } from "./jobs/routes.ts";
import { judgeRoutes } from "./judges/routes.ts";
import { openaiErrorShape } from "./openai/fine-tuning-errors.ts";
import { openaiRoutes } from "./openai/routes.ts";
import { referenceKitRoutes } from "./reference-kits/routes.ts";
import { webhookRoutes } from "./webhooks/routes.ts";

/** JSON request bodies are small; file bytes go to S3 directly (or stream through `/v1/files`). */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

/** The HTTP API: middleware (request id, metrics, request log, body limit, OpenAI error shape, API-key auth), every route group, the OpenAPI document and the error handler. */
export function createApp(deps: AppDeps) {
  const app = createRouter();
  const metrics = createHttpMetrics(deps);

  app.use(requestId());
  app.use(metrics.middleware);
  app.use(requestLog(deps));
  app.use("/v1/*", jsonBodyLimit(MAX_JSON_BODY_BYTES));
  app.use("/v1/*", emptyJsonBody());
  // OpenAI clients read `error` from failures of the OpenAI-compatible routes, authentication's included.
  for (const path of ["/v1/files", "/v1/files/*", "/v1/fine_tuning/*"]) app.use(path, openaiErrorShape());
  app.use("/v1/*", apiKeyAuth(deps));

  app.route("/", healthRoutes(deps));
  // Operators authenticate with GUARDTUNE_ADMIN_KEY; /admin is outside the /v1 API-key and body-limit middleware.
  app.route("/admin", adminRoutes(deps));
  app.get("/metrics", async (c) =>
    c.body(await metrics.registry.metrics(), 200, { "content-type": metrics.registry.contentType }),
  );
  app.route("/v1", datasetRoutes(deps));
  app.route("/v1", jobRoutes(deps));
  app.route("/v1", judgeRoutes(deps));
  app.route("/v1", openaiRoutes(deps));
  app.route("/v1", referenceKitRoutes(deps));
  app.route("/v1", webhookRoutes(deps));

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An API key: `Authorization: Bearer gt_...`",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "guardtune API",
      version: "1.0.0",
      description: "Fine-tuning with in-training defenses against emergent misalignment.",
    },
    security: [{ bearerAuth: [] }],
  });
  app.route("/docs", docsRoutes());

  app.notFound((c) => {
    const allowed = allowedMethods(app.routes, c.req.path, c.req.method);
    if (allowed.length > 0) {
      return problemResponse(
        c,
        new ApiError({
          status: 405,
          code: "method_not_allowed",
          title: "Method Not Allowed",
          detail: `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(", ")}.`,
        }),
        { allow: allowed.join(", ") },
      );
    }
    return problemResponse(
      c,
      new ApiError({
        status: 404,
        code: "not_found",
        title: "Not Found",
        detail: `No route for ${c.req.method} ${c.req.path}.`,
      }),
    );
  });
  app.onError((err, c: Context<AppEnv>) => {
    if (err instanceof ApiError) return problemResponse(c, err);
    // Hono's own client errors (e.g. the JSON validator's "Malformed JSON in request body") are the client's.
    if (err instanceof HTTPException && err.status < 500) {
      return problemResponse(
        c,
        new ApiError({
          status: err.status,
          code: err.status === 400 ? "invalid_json" : "bad_request",
          title: err.status === 400 ? "Bad Request" : "Client Error",
          detail: err.message,
        }),
      );
    }
    deps.logger.error({ err, requestId: c.get("requestId"), path: c.req.path }, "unhandled error");
    return problemResponse(
      c,
      new ApiError(
        {
          status: 500,
          code: "internal_error",
          title: "Internal Server Error",
          detail: `Something went wrong on our side (request ${c.get("requestId") ?? "unknown"}). Retry; if it persists, report the request id.`,
        },
        { cause: err },
      ),
    );
  });
  return app;
}

export type GuardtuneApp = ReturnType<typeof createApp>;

function allowedMethods(
  routes: ReadonlyArray<{ method: string; path: string }>,
  path: string,
  method: string,
): string[] {
  const out = new Set<string>();
  for (const r of routes) {
    if (r.method === "ALL" || r.method === method || r.path.endsWith("*")) continue;
    const pattern = new RegExp(
      "^" + r.path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/:[A-Za-z_]+/g, "[^/]+") + "/?$",
    );
    if (pattern.test(path)) out.add(r.method);
  }
  return [...out].sort();
}
