import type { Artifact, Checkpoint, JobEvent } from "../../core/db/schema.ts";
import { unixSeconds } from "../../core/jobs/job-object.ts";

/** Public shapes of a job's events, checkpoints and artifacts in the native API. */
export const toJobEventObject = (e: JobEvent) => ({
  id: e.id,
  object: "job.event" as const,
  seq: e.seq,
  created_at: unixSeconds(e.createdAt)!,
  level: e.level,
  type: e.type,
  step: e.step ?? null,
  message: e.message,
  data: e.data,
});
export type JobEventObject = ReturnType<typeof toJobEventObject>;

/** A kept adapter's file, with a download URL unless withheld. */
export interface CheckpointAdapterFile {
  filename: string;
  bytes: number;
  sha256: string | null;
  url: string | null;
  url_expires_at: number | null;
}

/** The API's checkpoint object for a stored checkpoint row, with its kept adapter when there is one. */
export const toCheckpointObject = (
  c: Checkpoint,
  adapter: { withheld: boolean; files: CheckpointAdapterFile[] } | null = null,
) => ({
  id: c.id,
  object: "checkpoint" as const,
  job_id: c.jobId,
  step: c.step,
  metrics: c.metrics,
  created_at: unixSeconds(c.createdAt)!,
  adapter,
});

/** The API's artifact object for a stored artifact row, with its download URL and when that expires. */
export const toArtifactObject = (a: Artifact, url: string, urlExpiresAt: number) => ({
  id: a.id,
  object: "artifact" as const,
  job_id: a.jobId,
  kind: a.kind,
  filename: a.filename,
  bytes: a.bytes,
  sha256: a.sha256 ?? null,
  withheld: a.withheld !== 0,
  created_at: unixSeconds(a.createdAt)!,
  url,
  url_expires_at: urlExpiresAt,
});

/** The one list shape of the API. */
export interface ListPage<T> {
  object: "list";
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

/** Builds a page from `limit + 1` fetched rows: the extra row only says that there is more. */
export function pageOf<R, T>(rows: R[], limit: number, view: (r: R) => T, cursorOf: (r: R) => string): ListPage<T> {
  const page = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return {
    object: "list",
    data: page.map(view),
    has_more: hasMore,
    next_cursor: hasMore && page.length > 0 ? cursorOf(page[page.length - 1]) : null,
  };
}
