import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { and, eq, inArray } from "drizzle-orm";
import type { Database } from "../../core/db/database.ts";
import { artifacts, type Job } from "../../core/db/schema.ts";
import { conflict, notFound } from "../../core/errors.ts";
import { cancelJob } from "../../core/jobs/cancel-job.ts";
import { insertQueuedJob } from "../jobs/create-job.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { problemResponses } from "../http/problem.ts";
import { createRouter } from "../http/router.ts";
import { withIdempotency } from "../jobs/idempotency.ts";
import {
  eventSeqOf,
  listJobCheckpoints,
  listJobEvents,
  listTenantJobs,
  loadTenantJob,
  metadataFilterOf,
} from "../jobs/job-queries.ts";
import { JobIdParam, PageQuery } from "../jobs/job-schemas.ts";
import { resolveJobRequest } from "../jobs/resolve-job-request.ts";
import {
  FineTuningJobCheckpointSchema,
  FineTuningJobEventSchema,
  FineTuningJobSchema,
  toFineTuningJob,
  toFineTuningJobCheckpoint,
  toFineTuningJobEvent,
  type FineTuningJobObject,
} from "./fine-tuning-objects.ts";
import { CreateFineTuningJobBody, OPENAI_PARAMS, toJobRequest } from "./fine-tuning-request.ts";

const TAG = ["OpenAI-compatible fine-tuning"];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const openaiList = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      object: z.literal("list"),
      data: z.array(item),
      has_more: z.boolean(),
      next_cursor: z.string().nullable(),
    })
    .openapi(name);

const create = createRoute({
  method: "post",
  path: "/fine_tuning/jobs",
  tags: TAG,
  summary: "Create a fine-tuning job (OpenAI shape)",
  description: "`safeguards` and `evaluation` are accepted as extra body fields.",
  request: { body: { required: true, content: { "application/json": { schema: CreateFineTuningJobBody } } } },
  responses: { 200: json(FineTuningJobSchema, "The job"), ...problemResponses(400, 401, 409, 422) },
});
const list = createRoute({
  method: "get",
  path: "/fine_tuning/jobs",
  tags: TAG,
  summary: "List fine-tuning jobs (OpenAI shape)",
  request: { query: PageQuery },
  responses: {
    200: json(openaiList(FineTuningJobSchema, "FineTuningJobList"), "A page of jobs"),
    ...problemResponses(401),
  },
});
const retrieve = createRoute({
  method: "get",
  path: "/fine_tuning/jobs/{id}",
  tags: TAG,
  summary: "Retrieve a fine-tuning job (OpenAI shape)",
  request: { params: JobIdParam },
  responses: { 200: json(FineTuningJobSchema, "The job"), ...problemResponses(401, 404) },
});
const cancel = createRoute({
  method: "post",
  path: "/fine_tuning/jobs/{id}/cancel",
  tags: TAG,
  summary: "Cancel a fine-tuning job (OpenAI shape)",
  request: { params: JobIdParam },
  responses: { 200: json(FineTuningJobSchema, "The job"), ...problemResponses(401, 404, 409) },
});
const events = createRoute({
  method: "get",
  path: "/fine_tuning/jobs/{id}/events",
  tags: TAG,
  summary: "List a fine-tuning job's events, newest first (OpenAI shape)",
  request: { params: JobIdParam, query: PageQuery },
  responses: {
    200: json(openaiList(FineTuningJobEventSchema, "FineTuningJobEventList"), "A page of events"),
    ...problemResponses(401, 404, 422),
  },
});
const checkpoints = createRoute({
  method: "get",
  path: "/fine_tuning/jobs/{id}/checkpoints",
  tags: TAG,
  summary: "List a fine-tuning job's checkpoints (OpenAI shape)",
  request: { params: JobIdParam, query: PageQuery },
  responses: {
    200: json(
      openaiList(FineTuningJobCheckpointSchema, "FineTuningJobCheckpointList").extend({
        first_id: z.string().nullable(),
        last_id: z.string().nullable(),
      }),
      "A page of checkpoints",
    ),
    ...problemResponses(401, 404, 422),
  },
});

/** OpenAI's `/v1/fine_tuning/jobs…` over the same job records as the native API. */
export function fineTuningJobRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = createRouter();

  app.openapi(create, async (c) => {
    const body = c.req.valid("json");
    const tenantId = c.get("tenant").id;
    const raw = (await c.req.json()) as { evaluation?: unknown };
    const out = await withIdempotency(deps, c, raw, {
      // the evaluation as sent (validated above): the model's defaults fill only what the request left out
      prepare: () =>
        resolveJobRequest(deps, tenantId, { ...toJobRequest(body), evaluation: raw.evaluation }, OPENAI_PARAMS),
      commit: async (tx, record) => ({ status: 200, body: toFineTuningJob(await insertQueuedJob(tx, record), []) }),
    });
    if (!out.replayed) deps.notify?.("jobs-outbox");
    return c.json(out.body as FineTuningJobObject, 200);
  });

  app.openapi(list, async (c) => {
    const q = c.req.valid("query");
    const rows = await listTenantJobs(deps.db, c.get("tenant").id, {
      limit: q.limit,
      after: q.after,
      metadata: metadataFilterOf(c.req.queries()),
    });
    const page = rows.slice(0, q.limit);
    const files = await resultFilesOf(deps.db, page);
    const hasMore = rows.length > q.limit;
    return c.json(
      {
        object: "list" as const,
        data: page.map((j) => toFineTuningJob(j, files.get(j.id) ?? [])),
        has_more: hasMore,
        next_cursor: hasMore ? page[page.length - 1].id : null,
      },
      200,
    );
  });

  app.openapi(retrieve, async (c) => {
    const job = await loadTenantJob(deps.db, c.get("tenant").id, c.req.valid("param").id);
    const files = await resultFilesOf(deps.db, [job]);
    return c.json(toFineTuningJob(job, files.get(job.id) ?? []), 200);
  });

  app.openapi(cancel, async (c) => {
    const { id } = c.req.valid("param");
    const outcome = await cancelJob(deps.db, c.get("tenant").id, id);
    if (outcome.kind === "not_found") throw notFound("fine-tuning job", id, "id");
    if (outcome.kind === "finished") {
      throw conflict(
        "job_not_cancellable",
        `Job '${id}' already ${outcome.job.status}; there is nothing to cancel.`,
        "id",
      );
    }
    const files = await resultFilesOf(deps.db, [outcome.job]);
    return c.json(toFineTuningJob(outcome.job, files.get(id) ?? []), 200);
  });

  app.openapi(events, async (c) => {
    const q = c.req.valid("query");
    const job = await loadTenantJob(deps.db, c.get("tenant").id, c.req.valid("param").id);
    const cursorSeq = await eventSeqOf(deps.db, job.id, q.after);
    const rows = await listJobEvents(deps.db, job.id, { order: "desc", cursorSeq, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    const hasMore = rows.length > q.limit;
    return c.json(
      {
        object: "list" as const,
        data: page.map(toFineTuningJobEvent),
        has_more: hasMore,
        next_cursor: hasMore ? page[page.length - 1].id : null,
      },
      200,
    );
  });

  app.openapi(checkpoints, async (c) => {
    const q = c.req.valid("query");
    const job = await loadTenantJob(deps.db, c.get("tenant").id, c.req.valid("param").id);
    const rows = await listJobCheckpoints(deps.db, job.id, q.limit, q.after);
    const page = rows.slice(0, q.limit);
    const hasMore = rows.length > q.limit;
    return c.json(
      {
        object: "list" as const,
        data: page.map((r) => toFineTuningJobCheckpoint(job, r)),
        has_more: hasMore,
        next_cursor: hasMore ? page[page.length - 1].id : null,
        first_id: page[0]?.id ?? null,
        last_id: page.at(-1)?.id ?? null,
      },
      200,
    );
  });
  return app;
}

/** Released artifact ids per job, in one query. */
async function resultFilesOf(db: Database, jobsOnPage: Job[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (jobsOnPage.length === 0) return out;
  const rows = await db
    .select({ id: artifacts.id, jobId: artifacts.jobId })
    .from(artifacts)
    .where(
      and(
        inArray(
          artifacts.jobId,
          jobsOnPage.map((j) => j.id),
        ),
        eq(artifacts.withheld, 0),
      ),
    );
  for (const r of rows) out.set(r.jobId, [...(out.get(r.jobId) ?? []), r.id]);
  return out;
}
