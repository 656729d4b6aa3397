import { eq } from "drizzle-orm";
import type { Database } from "../../core/db/database.ts";
import { jobs } from "../../core/db/schema.ts";
import { appendJobEvent, type NewJobEvent } from "../../core/jobs/job-events.ts";
import { jsonSafe } from "./json-safe.ts";

/** A job's event log as the pipeline writes it: stage boundaries, warnings, metrics, progress. */
export class JobProgress {
  constructor(
    private readonly db: Database,
    readonly jobId: string,
  ) {}

  async event(event: NewJobEvent): Promise<void> {
    await appendJobEvent(this.db, this.jobId, jsonSafe(event));
  }

  /** Runs one stage between `stage.started` / `stage.completed` events (the latter with its duration). */
  async stage<T>(
    name: string,
    message: string,
    fn: () => Promise<T>,
    summary?: (value: T) => Record<string, unknown>,
  ): Promise<T> {
    const started = performance.now();
    await this.event({ type: "stage.started", message, data: { stage: name } });
    const value = await fn();
    const ms = Math.round(performance.now() - started);
    await this.event({
      type: "stage.completed",
      message: `${message}: done in ${ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`}`,
      data: { stage: name, duration_ms: ms, ...summary?.(value) },
    });
    return value;
  }

  async estimatedFinish(at: Date): Promise<void> {
    await this.db.update(jobs).set({ estimatedFinish: at }).where(eq(jobs.id, this.jobId));
  }
}
