/**
 * The demo's two jobs on the model organism (docs/organism.md): its code EM dataset, fine-tuned with the
 * unguarded EM recipe's hyperparameters — once with no defense, once with Interleaving++ — and a follower that
 * prints both jobs' events until they end.
 */
import type { JobObject } from "../../core/jobs/job-object.ts";
import { jobDatasets, toJsonl } from "../../gpu-runner/organism/build/job-datasets.ts";
import { ORGANISM_RECIPE } from "../../gpu-runner/organism/build/recipe.ts";
import { organismRecipeJob } from "../../gpu-runner/organism/build/recipe-job.ts";
import type { ApiClient } from "./demo-support.ts";
import { progressLine } from "./demo-support.ts";

/** The EM domain of the demo's dataset; its reference adapter is left out of the Interleaving++ kit. */
export const DEMO_DOMAIN = "code" as const;
/** `guardtune organism datasets`' default seed: the dataset the organism's own `em-code` reference was built on. */
export const DEMO_DATASET_SEED = 1;
/** The fine-tune seed of the organism's calibration runs ("seed 1", docs/organism.md). */
export const DEMO_JOB_SEED = 1;

/** The organism's code EM dataset (`em-code.jsonl` of `guardtune organism datasets`), its first `n` examples. */
export function emCodeJsonl(n: number = ORGANISM_RECIPE.emFineTune.conversations): string {
  const sets = jobDatasets(DEMO_DATASET_SEED, { task: ORGANISM_RECIPE.emFineTune.conversations, pool: 0 });
  return toJsonl(sets.get(`em-${DEMO_DOMAIN}.jsonl`)!.slice(0, n));
}

/**
 * How many pool candidates the demo's Interleaving++ job scores: a seeded random subset of the organism's pool
 * (the safeguard's `candidates` cap). Scoring all 17,918 usable candidates with the aligned model and four
 * references takes about two minutes more on two cores (131 s; the demo takes 86 s without it, 197 s with it on a
 * quiet machine); `--candidates all` does it.
 */
export const DEMO_CANDIDATES = 1000;

/**
 * Interleaving++ as the paper runs it (Kaczér et al., arXiv 2508.06249): 5 % general data (the default ratio)
 * from the organism's instruction pool, chosen by the perplexity gap against the organism's misaligned reference
 * adapters with the job's own domain held out, refusals filtered. Every other setting is the documented default.
 */
export function interleavePlusPlus(candidates: number | undefined) {
  return {
    type: "interleave",
    selection: "perplexity_gap_filtered",
    pool: "builtin:organism",
    misaligned_references: "builtin:organism",
    held_out_domain: DEMO_DOMAIN,
    ...(candidates === undefined ? {} : { candidates }),
  } as const;
}

export interface DemoJob {
  readonly label: string;
  readonly safeguards: readonly Record<string, unknown>[];
}

/** The unguarded job, then the Interleaving++ job (`candidates`: the scoring cap, undefined = the whole pool). */
export const demoJobs = (candidates: number | undefined): DemoJob[] => [
  { label: "unguarded", safeguards: [] },
  { label: "Interleaving++", safeguards: [interleavePlusPlus(candidates)] },
];

/**
 * Creates a job on the organism with the unguarded EM recipe's hyperparameters (recipe-job.ts: rsLoRA r 32, α 64
 * on every linear projection, lr 2e-5, 1 epoch, batch 16, 5 warm-up steps) and no `evaluation` object: the
 * organism's exact judge and the gate are on by default.
 */
export function createDemoJob(api: ApiClient, datasetId: string, job: DemoJob): Promise<JobObject> {
  return api.call<JobObject>(
    "POST",
    "/v1/jobs",
    organismRecipeJob(datasetId, {
      safeguards: job.safeguards,
      seed: DEMO_JOB_SEED,
      extra: { suffix: job.label === "unguarded" ? "demo-unguarded" : "demo-interleave-pp" },
    }),
  );
}

interface JobEventObject {
  id: string;
  type: string;
  level: string;
  message: string;
  data: Record<string, unknown>;
}
interface Page<T> {
  data: T[];
  has_more: boolean;
}

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

/**
 * Prints every job's stage events (prefixed with its label) and a progress line every 25 training steps,
 * until all jobs have ended; returns them as they ended.
 */
export async function followJobs(
  api: ApiClient,
  jobs: ReadonlyArray<{ label: string; id: string }>,
  say: (line: string) => void,
): Promise<Map<string, JobObject>> {
  const after = new Map<string, string | null>(jobs.map((j) => [j.id, null]));
  const ended = new Map<string, JobObject>();
  const width = Math.max(...jobs.map((j) => j.label.length));
  while (ended.size < jobs.length) {
    for (const { label, id } of jobs) {
      if (ended.has(id)) continue;
      // read the job before its events, so no event written before it ended is missed
      const job = await api.call<JobObject>("GET", `/v1/jobs/${id}`);
      for (;;) {
        const cursor = after.get(id);
        const page = await api.call<Page<JobEventObject>>(
          "GET",
          `/v1/jobs/${id}/events?limit=100${cursor ? `&after=${cursor}` : ""}`,
        );
        for (const e of page.data) {
          after.set(id, e.id);
          const line = eventLine(e);
          if (line) say(`  ${label.padEnd(width)}  ${line}`);
        }
        if (!page.has_more) break;
      }
      if (TERMINAL.has(job.status)) ended.set(id, job);
    }
    if (ended.size < jobs.length) await new Promise((r) => setTimeout(r, 500));
  }
  return ended;
}

function eventLine(e: JobEventObject): string | null {
  if (e.type === "metrics") {
    const step = Number(e.data.step);
    const total = Number(e.data.total_steps);
    if (step !== 1 && step % 25 !== 0 && step !== total) return null;
    return progressLine(step, total, `loss ${Number(e.data.loss).toFixed(3)}`, 20);
  }
  if (e.type === "stage.started" || e.type.startsWith("checkpoint.")) return null;
  // long messages (the gate's full explanation) are cut: the demo prints the evidence once the jobs have ended
  const message = e.message.length > 160 ? `${e.message.slice(0, 157)}…` : e.message;
  return `${e.level === "info" ? "·" : e.level === "warn" ? "!" : "✗"} ${message}`;
}
