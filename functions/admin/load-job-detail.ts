import { asc, eq } from "drizzle-orm";
import type { Database } from "../../core/db/database.ts";
import { artifacts, jobEvents, jobs, tenants, type Artifact, type Job, type JobEvent } from "../../core/db/schema.ts";

/** A job page shows the first this many events of a job (its total is shown when there are more). */
export const MAX_TIMELINE_EVENTS = 1000;

export interface JobDetail {
  job: Job;
  tenantName: string;
  events: JobEvent[];
  /** Events the job has in all (more than `events.length` when the timeline was cut). */
  eventCount: number;
  artifacts: Artifact[];
}

/** One job with its events and artifacts, or null when there is no such job. Reads by primary key and (job_id, seq). */
export async function loadJobDetail(db: Database, jobId: string): Promise<JobDetail | null> {
  const [row] = await db
    .select({ job: jobs, tenantName: tenants.name })
    .from(jobs)
    .innerJoin(tenants, eq(tenants.id, jobs.tenantId))
    .where(eq(jobs.id, jobId));
  if (!row) return null;
  const [events, files] = await Promise.all([
    db
      .select()
      .from(jobEvents)
      .where(eq(jobEvents.jobId, jobId))
      .orderBy(asc(jobEvents.seq))
      .limit(MAX_TIMELINE_EVENTS + 1),
    db.select().from(artifacts).where(eq(artifacts.jobId, jobId)).orderBy(asc(artifacts.kind), asc(artifacts.filename)),
  ]);
  return {
    job: row.job,
    tenantName: row.tenantName,
    events: events.slice(0, MAX_TIMELINE_EVENTS),
    eventCount: Math.max(row.job.eventSeq, events.length),
    artifacts: files,
  };
}
