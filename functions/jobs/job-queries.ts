import { and, asc, desc, eq, gt, inArray, lt, sql, type SQL } from "drizzle-orm";
import {
  artifacts,
  checkpoints,
  jobEvents,
  jobs,
  type Job,
  type JobEvent,
  type JobStatus,
} from "../../core/db/schema.ts";
import type { Database } from "../../core/db/database.ts";
import { notFound, unprocessable } from "../../core/errors.ts";

/** A job of this tenant, or a 404 (another tenant's job is indistinguishable from a missing one). */
export async function loadTenantJob(db: Database, tenantId: string, id: string): Promise<Job> {
  const [job] = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.id, id), eq(jobs.tenantId, tenantId)));
  if (!job) throw notFound("job", id, "id");
  return job;
}

export interface JobListFilter {
  limit: number;
  after?: string;
  statuses?: JobStatus[];
  metadata?: Record<string, string>;
}

/** Newest first; `after` is the id of the last job of the previous page. Returns up to `limit + 1` rows. */
export function listTenantJobs(db: Database, tenantId: string, f: JobListFilter): Promise<Job[]> {
  const where: (SQL | undefined)[] = [eq(jobs.tenantId, tenantId)];
  if (f.after) where.push(lt(jobs.id, f.after));
  if (f.statuses?.length) where.push(inArray(jobs.status, f.statuses));
  if (f.metadata && Object.keys(f.metadata).length > 0) {
    where.push(sql`${jobs.metadata} @> ${JSON.stringify(f.metadata)}::jsonb`);
  }
  return db
    .select()
    .from(jobs)
    .where(and(...where))
    .orderBy(desc(jobs.id))
    .limit(f.limit + 1);
}

/** `metadata[key]=value` query parameters as one object (repeated keys: the last wins). */
export function metadataFilterOf(query: Record<string, string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of Object.entries(query)) {
    const m = /^metadata\[(.+)\]$/.exec(name);
    if (m && values.length > 0) out[m[1]] = values[values.length - 1];
  }
  return out;
}

/** The sequence number an event cursor stands for (a 422 naming `after` when it is not this job's event). */
export async function eventSeqOf(db: Database, jobId: string, eventId: string | undefined): Promise<number | null> {
  if (!eventId) return null;
  const [row] = await db
    .select({ seq: jobEvents.seq })
    .from(jobEvents)
    .where(and(eq(jobEvents.id, eventId), eq(jobEvents.jobId, jobId)));
  if (!row) throw unprocessable("invalid_cursor", `'${eventId}' is not an event of this job.`, "after");
  return row.seq;
}

/** Events in order of `seq`: ascending after `afterSeq`, or descending before it (newest first). */
export function listJobEvents(
  db: Database,
  jobId: string,
  opts: { order: "asc" | "desc"; cursorSeq: number | null; limit: number },
): Promise<JobEvent[]> {
  const cursor =
    opts.cursorSeq === null
      ? undefined
      : opts.order === "asc"
        ? gt(jobEvents.seq, opts.cursorSeq)
        : lt(jobEvents.seq, opts.cursorSeq);
  return db
    .select()
    .from(jobEvents)
    .where(and(eq(jobEvents.jobId, jobId), cursor))
    .orderBy(opts.order === "asc" ? asc(jobEvents.seq) : desc(jobEvents.seq))
    .limit(opts.limit);
}

/** Complete checkpoints, newest step first; `after` is a checkpoint id of the previous page. */
export async function listJobCheckpoints(db: Database, jobId: string, limit: number, after?: string) {
  let beforeStep: number | undefined;
  if (after) {
    const [row] = await db
      .select({ step: checkpoints.step })
      .from(checkpoints)
      .where(and(eq(checkpoints.id, after), eq(checkpoints.jobId, jobId)));
    if (!row) throw unprocessable("invalid_cursor", `'${after}' is not a checkpoint of this job.`, "after");
    beforeStep = row.step;
  }
  return db
    .select()
    .from(checkpoints)
    .where(
      and(
        eq(checkpoints.jobId, jobId),
        eq(checkpoints.complete, 1),
        beforeStep === undefined ? undefined : lt(checkpoints.step, beforeStep),
      ),
    )
    .orderBy(desc(checkpoints.step))
    .limit(limit + 1);
}

/** A job's artifacts by kind and file name; withheld ones (a gated adapter) only when `includeWithheld`. */
export function listJobArtifacts(db: Database, jobId: string, includeWithheld: boolean) {
  return db
    .select()
    .from(artifacts)
    .where(and(eq(artifacts.jobId, jobId), includeWithheld ? undefined : eq(artifacts.withheld, 0)))
    .orderBy(asc(artifacts.kind), asc(artifacts.filename));
}
