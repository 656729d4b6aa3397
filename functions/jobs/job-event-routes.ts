import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import type { Database } from "../../core/db/database.ts";
import { jobs } from "../../core/db/schema.ts";
import { isTerminalStatus } from "../../core/jobs/state-machine.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { problemResponses } from "../http/problem.ts";
import { createRouter } from "../http/router.ts";
import { eventSeqOf, listJobEvents, loadTenantJob } from "./job-queries.ts";
import { JobEventSchema, JobIdParam, listOf, PageQuery } from "./job-schemas.ts";
import { pageOf, toJobEventObject } from "./job-views.ts";

/** How often a stream looks for new events, and how often it sends a keep-alive comment. */
export const STREAM_POLL_MS = 250;
const KEEPALIVE_MS = 15_000;
const STREAM_BATCH = 100;

const listEvents = createRoute({
  method: "get",
  path: "/jobs/{id}/events",
  tags: ["Jobs"],
  summary: "List or stream a job's events",
  description:
    "Events in order (`seq` ascending); `after` is the id of the last event seen. With `stream=true` the " +
    "response is Server-Sent Events: every event after the cursor (or after `Last-Event-ID`), then new ones as " +
    "they happen; the stream ends with an `end` event once the job is succeeded, failed or cancelled.",
  request: {
    params: JobIdParam,
    query: PageQuery.extend({
      stream: z
        .enum(["true", "false"])
        .optional()
        .transform((s) => s === "true"),
    }),
  },
  responses: {
    200: {
      description: "A page of events, or an event stream",
      content: {
        "application/json": { schema: listOf(JobEventSchema, "JobEventList") },
        "text/event-stream": { schema: z.string().openapi({ description: "`event: job.event` / `event: end`" }) },
      },
    },
    ...problemResponses(401, 404, 422),
  },
});

/** The job event routes: the paged event list and its server-sent-events follow stream. */
export function jobEventRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = createRouter();
  app.openapi(listEvents, async (c) => {
    const q = c.req.valid("query");
    const job = await loadTenantJob(deps.db, c.get("tenant").id, c.req.valid("param").id);
    const cursor = q.after ?? c.req.header("last-event-id");
    const afterSeq = await eventSeqOf(deps.db, job.id, cursor);
    if (q.stream) {
      return streamSSE(c, (stream) => streamJobEvents(deps.db, job.id, afterSeq ?? 0, stream));
    }
    const rows = await listJobEvents(deps.db, job.id, { order: "asc", cursorSeq: afterSeq, limit: q.limit + 1 });
    return c.json(
      pageOf(rows, q.limit, toJobEventObject, (e) => e.id),
      200,
    );
  });
  return app;
}

/**
 * Sends every event after `afterSeq`, then polls for new ones. The terminal status change and its event
 * commit together, so once the job is seen terminal one more read gets every event there will ever be.
 */
async function streamJobEvents(db: Database, jobId: string, afterSeq: number, stream: SSEStreamingApi): Promise<void> {
  let closed = false;
  stream.onAbort(() => {
    closed = true;
  });
  let lastSeq = afterSeq;
  let lastWrite = Date.now();
  const drain = async (): Promise<number> => {
    const rows = await listJobEvents(db, jobId, { order: "asc", cursorSeq: lastSeq, limit: STREAM_BATCH });
    for (const e of rows) {
      await stream.writeSSE({ id: e.id, event: "job.event", data: JSON.stringify(toJobEventObject(e)) });
      lastSeq = e.seq;
    }
    if (rows.length > 0) lastWrite = Date.now();
    return rows.length;
  };
  while (!closed) {
    if ((await drain()) === STREAM_BATCH) continue;
    const [job] = await db.select({ status: jobs.status }).from(jobs).where(eq(jobs.id, jobId));
    if (!job || isTerminalStatus(job.status)) {
      while ((await drain()) === STREAM_BATCH);
      await stream.writeSSE({ event: "end", data: JSON.stringify({ job_id: jobId, status: job?.status ?? null }) });
      return;
    }
    if (Date.now() - lastWrite > KEEPALIVE_MS) {
      await stream.write(": keep-alive\n\n");
      lastWrite = Date.now();
    }
    await stream.sleep(STREAM_POLL_MS);
  }
}
