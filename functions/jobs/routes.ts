import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { JOB_STATUSES } from "../../core/db/schema.ts";
import { conflict, notFound } from "../../core/errors.ts";
import { cancelJob } from "../../core/jobs/cancel-job.ts";
import { insertQueuedJob } from "./create-job.ts";
import { toJobObject, type JobObject } from "../../core/jobs/job-object.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { problemResponses } from "../http/problem.ts";
import { createRouter } from "../http/router.ts";
import { withIdempotency } from "./idempotency.ts";
import { jobEventRoutes } from "./job-event-routes.ts";
import { jobOutputRoutes } from "./job-output-routes.ts";
import { listTenantJobs, loadTenantJob, metadataFilterOf } from "./job-queries.ts";
import { CreateJobBody, JobIdParam, JobSchema, listOf, PageQuery } from "./job-schemas.ts";
import { pageOf } from "./job-views.ts";
import { resolveJobRequest } from "./resolve-job-request.ts";

const TAG = ["Jobs"];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const createJob = createRoute({
  method: "post",
  path: "/jobs",
  tags: TAG,
  summary: "Create a fine-tuning job",
  description:
    "Validates everything (model, datasets, hyper-parameters, safeguards) before queueing. Send an " +
    "`Idempotency-Key` header to make retries safe: the same key and body return the same job.",
  request: {
    headers: z.object({ "idempotency-key": z.string().max(255).optional() }),
    body: { required: true, content: { "application/json": { schema: CreateJobBody } } },
  },
  responses: { 201: json(JobSchema, "The queued job"), ...problemResponses(400, 401, 409, 422) },
});

const listJobs = createRoute({
  method: "get",
  path: "/jobs",
  tags: TAG,
  summary: "List jobs (newest first)",
  description: "Filter by `status` (repeatable or comma-separated) and by `metadata[key]=value`.",
  request: {
    query: PageQuery.extend({
      status: z
        .string()
        .optional()
        .transform((s) => (s ? s.split(",").map((x) => x.trim()) : undefined))
        .pipe(z.array(z.enum(JOB_STATUSES)).optional()),
    }),
  },
  responses: { 200: json(listOf(JobSchema, "JobList"), "A page of jobs"), ...problemResponses(401, 422) },
});

const getJob = createRoute({
  method: "get",
  path: "/jobs/{id}",
  tags: TAG,
  summary: "Retrieve a job",
  request: { params: JobIdParam },
  responses: { 200: json(JobSchema, "The job"), ...problemResponses(401, 404) },
});

const cancelJobRoute = createRoute({
  method: "post",
  path: "/jobs/{id}/cancel",
  tags: TAG,
  summary: "Cancel a job",
  description:
    "A job that has not started is cancelled at once and never runs. A running job becomes `cancelling` and " +
    "stops at its next training step (then `cancelled`). Cancelling a cancelled job is a no-op.",
  request: { params: JobIdParam },
  responses: { 200: json(JobSchema, "The job after the request"), ...problemResponses(401, 404, 409) },
});

/** The `/v1/jobs` routes: create (idempotent), list, get, cancel, and the event and output routes. */
export function jobRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = createRouter();

  app.openapi(createJob, async (c) => {
    const body = c.req.valid("json");
    const tenantId = c.get("tenant").id;
    const raw = (await c.req.json()) as { evaluation?: unknown };
    const out = await withIdempotency(deps, c, raw, {
      // the evaluation as sent (validated above): the model's defaults fill only what the request left out
      prepare: () => resolveJobRequest(deps, tenantId, { ...body, evaluation: raw.evaluation }),
      commit: async (tx, record) => ({ status: 201, body: toJobObject(await insertQueuedJob(tx, record)) }),
    });
    // Wake the relay now that the queue intent is committed (it also polls).
    if (!out.replayed) deps.notify?.("jobs-outbox");
    return c.json(out.body as JobObject, 201);
  });

  app.openapi(listJobs, async (c) => {
    const q = c.req.valid("query");
    const rows = await listTenantJobs(deps.db, c.get("tenant").id, {
      limit: q.limit,
      after: q.after,
      statuses: q.status,
      metadata: metadataFilterOf(c.req.queries()),
    });
    return c.json(
      pageOf(rows, q.limit, toJobObject, (j) => j.id),
      200,
    );
  });

  app.openapi(getJob, async (c) => {
    const job = await loadTenantJob(deps.db, c.get("tenant").id, c.req.valid("param").id);
    return c.json(toJobObject(job), 200);
  });

  app.openapi(cancelJobRoute, async (c) => {
    const { id } = c.req.valid("param");
    const outcome = await cancelJob(deps.db, c.get("tenant").id, id);
    if (outcome.kind === "not_found") throw notFound("job", id, "id");
    if (outcome.kind === "finished") {
      throw conflict(
        "job_not_cancellable",
        `Job '${id}' already ${outcome.job.status}; there is nothing to cancel.`,
        "id",
      );
    }
    return c.json(toJobObject(outcome.job), 200);
  });

  app.route("/", jobEventRoutes(deps));
  app.route("/", jobOutputRoutes(deps));
  return app;
}
