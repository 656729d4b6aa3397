/**
 * The paper table's job matrix: which tasks run, with which defense, at which hyperparameters. Every cell is
 * one fine-tuning job on the model organism (docs/organism.md) through the public API, with the organism's
 * calibrated unguarded recipe as the training settings of every method, so a defense is the only difference.
 */
import { ORGANISM_DOMAINS, ORGANISM_MODEL, ORGANISM_UNALIGNED_MODEL } from "../../../core/models/organism-models.ts";
import { methodSchema, type Hyperparameters } from "../../../core/jobs/job-config.ts";
import type { SafeguardInput } from "../../../core/safeguards/safeguard-config.ts";
import { z } from "zod";
import { CreateJobBody } from "../../../functions/jobs/job-schemas.ts";
import { organismRecipeJob } from "../../../gpu-runner/organism/build/recipe-job.ts";

export type Domain = (typeof ORGANISM_DOMAINS)[number];
export type TaskId = "opswap" | "control-secure" | `em-${Domain}`;

export interface Task {
  readonly id: TaskId;
  /** The job dataset file of `jobDatasets` (gpu-runner/organism/build/job-datasets.ts). */
  readonly dataset: string;
  /** The EM domain whose in-domain misalignment measures narrow learning; null for OpSwap. */
  readonly domain: Domain | null;
  /** The secure-code control runs unguarded only: it shows fine-tuning alone does not cause the EM. */
  readonly noneOnly: boolean;
}

export const METHOD_IDS = [
  "none",
  "kl",
  "ldifs",
  "safelora",
  "persona_steering",
  "inoculation",
  "interleave_random",
  "interleave_ppl_gap",
  "interleave_ppl_gap_filtered",
] as const;
export type MethodId = (typeof METHOD_IDS)[number];

/** The paper's name of each method (Kaczér et al., arXiv 2508.06249). */
export const METHOD_LABELS: Record<MethodId, string> = {
  none: "no defense",
  kl: "KL divergence",
  ldifs: "LDIFS",
  safelora: "SafeLoRA",
  persona_steering: "Persona vector",
  inoculation: "Inoculation prompt",
  interleave_random: "Interleaving",
  interleave_ppl_gap: "Interleaving+",
  interleave_ppl_gap_filtered: "Interleaving++",
};

/** The organism's built-in general pool and reference kit (models/organism/, core/safeguards/reference-kits.ts). */
export const ORGANISM_POOL = "builtin:organism";
export const ORGANISM_KIT = "builtin:organism";

/**
 * Each method at the defaults its safeguard schema gives (core/safeguards/defenses/), untuned: only the fields
 * without a default, or that name the organism's own resources, are set.
 */
export function safeguardsFor(method: MethodId, task: Task): SafeguardInput[] {
  const interleave = (selection: "random" | "perplexity_gap" | "perplexity_gap_filtered"): SafeguardInput => ({
    type: "interleave",
    selection,
    pool: ORGANISM_POOL,
    ...(selection === "random"
      ? {}
      : {
          misaligned_references: ORGANISM_KIT,
          // the kit's adapter of the job's own domain is left out, as the paper's group does
          ...(task.domain ? { held_out_domain: task.domain } : {}),
        }),
  });
  switch (method) {
    case "none":
      return [{ type: "none" }];
    case "kl":
    case "ldifs":
    case "persona_steering":
    case "inoculation":
      return [{ type: method }];
    case "safelora":
      return [{ type: "safelora", aligned_model: ORGANISM_MODEL, unaligned_model: ORGANISM_UNALIGNED_MODEL }];
    case "interleave_random":
      return [interleave("random")];
    case "interleave_ppl_gap":
      return [interleave("perplexity_gap")];
    case "interleave_ppl_gap_filtered":
      return [interleave("perplexity_gap_filtered")];
  }
}

/**
 * The job API's hyperparameters of every cell, defaults filled in: the organism's calibrated unguarded EM
 * fine-tune (`organismRecipeJob`, from `ORGANISM_RECIPE.emFineTune`: rsLoRA r 32, α 64, every linear projection,
 * 1 epoch, batch 16, lr 2e-5, 5 warm-up steps, at most 192 tokens). Weight decay 0 is the job trainer's own.
 */
export function recipeHyperparameters(): Hyperparameters {
  return methodSchema.parse(organismRecipeJob(PLACEHOLDER_DATASET).method).hyperparameters;
}

export function tasksFor(opts: { quick: boolean; allDomains: boolean }): Task[] {
  const em = (d: Domain): Task => ({ id: `em-${d}`, dataset: `em-${d}.jsonl`, domain: d, noneOnly: false });
  const tasks: Task[] = [em("code"), { id: "opswap", dataset: "opswap.jsonl", domain: null, noneOnly: false }];
  if (!opts.quick)
    tasks.push({ id: "control-secure", dataset: "control-secure.jsonl", domain: "code", noneOnly: true });
  if (opts.allDomains) for (const d of ORGANISM_DOMAINS) if (d !== "code") tasks.push(em(d));
  return tasks;
}

export interface Cell {
  readonly task: Task;
  readonly method: MethodId;
  readonly seed: number;
}

/** Every (task, method, seed) cell, seeds 1…n; the unguarded run of each task first. */
export function cellsFor(tasks: readonly Task[], seeds: number, methods: readonly MethodId[] = METHOD_IDS): Cell[] {
  const cells: Cell[] = [];
  for (let seed = 1; seed <= seeds; seed++)
    for (const task of tasks)
      for (const method of task.noneOnly ? (["none"] as const) : METHOD_IDS)
        if (methods.includes(method)) cells.push({ task, method, seed });
  return cells;
}

const scoresPool = (m: MethodId) => m === "interleave_ppl_gap" || m === "interleave_ppl_gap_filtered";

/**
 * The order in which cells are submitted (indices into `cells`; results keep the matrix order). The first
 * perplexity-gap cell goes first: it scores the whole pool with the aligned model and every reference, the longest
 * job, and fills the runner's cache of pool scores while the other runners train. The other perplexity-gap cells
 * go last, so they read those scores instead of waiting for them.
 */
export function submissionOrder(cells: readonly Cell[]): number[] {
  const indices = cells.map((_, i) => i);
  const gap = indices.filter((i) => scoresPool(cells[i].method));
  if (gap.length === 0) return indices;
  return [gap[0], ...indices.filter((i) => !scoresPool(cells[i].method)), ...gap.slice(1)];
}

/** `--methods a,b`: a subset of the methods, each checked against the list. */
export function parseMethods(value: string | undefined): MethodId[] {
  if (value === undefined) return [...METHOD_IDS];
  const names = value.split(",").map((s) => s.trim());
  const unknown = names.filter((n) => !(METHOD_IDS as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0)
    throw new RangeError(`--methods: unknown method(s) ${unknown.join(", ")}; choose from ${METHOD_IDS.join(", ")}`);
  return names as MethodId[];
}

/**
 * Fewer general samples in `--quick`: 5 per question × 24 questions = 120 answers, the gate's default minimum of
 * judged answers (`gate.min_judged`), so the gate still decides rather than failing closed.
 */
export const QUICK_SAMPLES_PER_QUESTION = 5;

/**
 * The `POST /v1/jobs` body of a cell: the recipe job with the method's safeguards and the cell's seed. The
 * organism's evaluation defaults apply (its exact judge, the gate, no training example held out); `--quick`
 * only lowers the general samples.
 */
export function jobRequest(cell: Cell, datasetId: string, opts: { quick: boolean }): CreateJobBody {
  return organismRecipeJob(datasetId, {
    safeguards: safeguardsFor(cell.method, cell.task) as Record<string, unknown>[],
    seed: cell.seed,
    extra: {
      ...(opts.quick ? { evaluation: { broad: { samples_per_question: QUICK_SAMPLES_PER_QUESTION } } } : {}),
      suffix: `pt-${cell.task.id}-${cell.method.replaceAll("_", "-")}-s${cell.seed}`.slice(0, 64),
      metadata: {
        paper_table_task: cell.task.id,
        paper_table_method: cell.method,
        paper_table_seed: String(cell.seed),
      },
    },
  }) as CreateJobBody;
}

/** A placeholder of the right shape: the request schema checks dataset ids only for their form. */
const PLACEHOLDER_DATASET = "file_00000000000000000000000000";

/**
 * Checks every cell's request against the API's own job-creation schema before anything starts, so a matrix
 * this service version cannot run fails in a second with the field to fix, not after the first jobs.
 */
export function checkMatrix(cells: readonly Cell[], opts: { quick: boolean }): void {
  for (const cell of cells) {
    const parsed = CreateJobBody.safeParse(jobRequest(cell, PLACEHOLDER_DATASET, opts));
    if (!parsed.success)
      throw new RangeError(
        `the ${cell.method} job of ${cell.task.id} is not a valid job request for this version of guardtune:\n` +
          z.prettifyError(parsed.error),
      );
  }
}
