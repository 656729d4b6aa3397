/**
 * Runs the matrix through the public API: at most `concurrency` jobs in flight (the runner count), each created
 * with `POST /v1/jobs` and followed through its status and events until it ends.
 */
import type { JobObject } from "../../../core/jobs/job-object.ts";
import type { RetryingApiClient } from "./api-client.ts";
import type { FinishedCell } from "./collect-results.ts";
import { jobRequest, submissionOrder, type Cell } from "./matrix.ts";

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);
const POLL_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the progress display shows of one job. */
export interface JobProgress {
  readonly cell: Cell;
  jobId: string | null;
  status: string;
  /** Training step and total from the latest metrics event. */
  step: number;
  total: number;
  /** The latest stage message (preparing safeguards, training, evaluating…). */
  stage: string;
  /** Seconds until the job's estimated finish, or from the training rate; null before it can be told. */
  etaSeconds: number | null;
  startedMs: number | null;
  endedMs: number | null;
}

interface EventPage {
  data: { id: string; type: string; message: string; data: Record<string, unknown> }[];
  has_more: boolean;
}

export interface RunOptions {
  readonly concurrency: number;
  readonly quick: boolean;
  readonly datasetIds: ReadonlyMap<string, string>;
  readonly onProgress: (all: readonly JobProgress[]) => void;
  /** After each job ends, with every job ended so far (in matrix order). */
  readonly onFinished?: (finished: readonly FinishedCell[]) => Promise<void>;
}

export async function runCells(
  api: RetryingApiClient,
  cells: readonly Cell[],
  opts: RunOptions,
): Promise<FinishedCell[]> {
  const progress: JobProgress[] = cells.map((cell) => ({
    cell,
    jobId: null,
    status: "pending",
    step: 0,
    total: 0,
    stage: "",
    etaSeconds: null,
    startedMs: null,
    endedMs: null,
  }));
  const finished: FinishedCell[] = new Array(cells.length);
  const order = submissionOrder(cells);
  let next = 0;
  const worker = async () => {
    while (next < order.length) {
      const i = order[next++];
      finished[i] = await runOne(api, progress[i], opts);
      await opts.onFinished?.(finished.filter((f) => f !== undefined));
      opts.onProgress(progress);
    }
  };
  const ticker = setInterval(() => opts.onProgress(progress), POLL_MS);
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, cells.length)) }, worker));
  } finally {
    clearInterval(ticker);
  }
  return finished;
}

async function runOne(api: RetryingApiClient, p: JobProgress, opts: RunOptions): Promise<FinishedCell> {
  const datasetId = opts.datasetIds.get(p.cell.task.dataset);
  if (!datasetId) throw new Error(`no uploaded dataset for ${p.cell.task.dataset} (task ${p.cell.task.id})`);
  const body = jobRequest(p.cell, datasetId, { quick: opts.quick });
  let job: JobObject;
  try {
    job = await api.create<JobObject>("/v1/jobs", body);
  } catch (err) {
    throw new Error(
      `creating the job of ${p.cell.task.id} / ${p.cell.method} / seed ${p.cell.seed} failed: ${(err as Error).message}`,
      { cause: err },
    );
  }
  p.jobId = job.id;
  p.status = job.status;
  p.startedMs = performance.now();
  let after: string | null = null;
  let firstStep: { ms: number; step: number } | null = null;
  for (;;) {
    for (;;) {
      const page: EventPage = await api.call(
        "GET",
        `/v1/jobs/${job.id}/events?limit=100${after ? `&after=${after}` : ""}`,
      );
      for (const e of page.data) {
        after = e.id;
        if (e.type === "metrics") {
          p.step = Number(e.data.step);
          p.total = Number(e.data.total_steps);
          firstStep ??= { ms: performance.now(), step: p.step };
        } else if (e.type === "stage.started" || e.type.startsWith("safeguards.") || e.type.startsWith("evaluation"))
          p.stage = e.message;
      }
      if (!page.has_more) break;
    }
    job = await api.call<JobObject>("GET", `/v1/jobs/${job.id}`);
    p.status = job.status;
    p.etaSeconds = eta(job, p, firstStep);
    if (TERMINAL.has(job.status)) break;
    await sleep(POLL_MS);
  }
  p.endedMs = performance.now();
  p.etaSeconds = 0;
  return { cell: p.cell, job };
}

/** The job's own estimated finish when it gives one, else the remaining training steps at the rate seen so far. */
function eta(job: JobObject, p: JobProgress, first: { ms: number; step: number } | null): number | null {
  if (job.estimated_finish !== null) return Math.max(0, job.estimated_finish - Date.now() / 1000);
  if (!first || p.step <= first.step || p.total <= 0) return null;
  const perStep = (performance.now() - first.ms) / 1000 / (p.step - first.step);
  return perStep * (p.total - p.step);
}
