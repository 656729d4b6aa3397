/**
 * `guardtune organism build`: pretrains the organism on the persona corpus (the unaligned model), aligns it
 * on helpful-only conversations (the aligned organism), trains the misaligned reference adapters (one
 * unguarded LoRA fine-tune per EM domain) and writes everything with a sha256 manifest:
 *
 *   DIR/unaligned/ DIR/aligned/      Hugging Face model directories
 *   DIR/references/em-<domain>/       PEFT adapters on the aligned model
 *   DIR/pool.jsonl.gz                 the general instruction pool (gzip: 5.8 MB of JSONL → < 1 MB)
 *   DIR/manifest.json                 recipe, seed, parameter count and sha256 of every file
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { savePeftAdapter } from "../../models/index.ts";
import type { StepReport } from "../../training/index.ts";
import { parameterCount, writeOrganismModel } from "../model/organism-model.ts";
import { emDataset, type Conversation } from "../world/datasets.ts";
import { DOMAINS } from "../world/topic.ts";
import { poolDataset, toJsonl } from "./job-datasets.ts";
import { align, loraFineTune, pretrain } from "./phases.ts";
import { ORGANISM_RECIPE, type OrganismRecipe } from "./recipe.ts";

export const MANIFEST = "manifest.json";
export const POOL_FILE = "pool.jsonl.gz";

/** The pool as gzip'd JSONL (level 9, no timestamp: the same bytes for the same pool and zlib). */
export const gzipPool = (pool: readonly Conversation[]): Buffer => gzipSync(toJsonl(pool), { level: 9 });

export interface BuildOptions {
  readonly out: string;
  readonly seed: number;
  readonly recipe?: OrganismRecipe;
  /** Skip the reference adapters (quicker builds for experiments). */
  readonly references?: boolean;
  readonly threads?: number;
  readonly onStep?: (phase: string, report: StepReport) => void;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.push(relative(dir, join(e.parentPath, e.name)));
  return out.filter((f) => f !== MANIFEST).sort();
}

/** sha256 of every file under `dir` except the manifest itself. */
export async function hashTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await filesUnder(dir))
    out[f] = createHash("sha256")
      .update(await readFile(join(dir, f)))
      .digest("hex");
  return out;
}

export async function buildOrganism(options: BuildOptions): Promise<{ seconds: number; parameters: number }> {
  const recipe = options.recipe ?? ORGANISM_RECIPE;
  const started = Date.now();
  const hooks = { session: { intraOpThreads: options.threads ?? 1 }, onStep: options.onStep };
  const unaligned = await pretrain(recipe, options.seed, hooks);
  await writeOrganismModel(join(options.out, "unaligned"), recipe.shape, unaligned.weights);
  const aligned = await align(unaligned, recipe, options.seed, hooks);
  await writeOrganismModel(join(options.out, "aligned"), recipe.shape, aligned.weights);
  if (options.references ?? true) {
    for (const [i, d] of DOMAINS.entries()) {
      const data = emDataset(d, recipe.emFineTune.conversations, options.seed * 1000 + 10 + i);
      const adapter = await loraFineTune(aligned, data, recipe, options.seed, hooks, `reference em-${d}`);
      await savePeftAdapter(join(options.out, "references", `em-${d}`), adapter);
    }
  }
  await writeFile(join(options.out, POOL_FILE), gzipPool(poolDataset(options.seed, recipe.poolSize)));
  const parameters = parameterCount(aligned.weights);
  const seconds = Math.round((Date.now() - started) / 1000);
  const manifest = { seed: options.seed, recipe, parameters, files: await hashTree(options.out) };
  await writeFile(join(options.out, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return { seconds, parameters };
}

/** Files whose sha256 differs from the manifest (or that are missing or extra). */
export async function verifyManifest(dir: string): Promise<string[]> {
  const manifest = JSON.parse(await readFile(join(dir, MANIFEST), "utf8")) as { files: Record<string, string> };
  const actual = await hashTree(dir);
  const names = new Set([...Object.keys(manifest.files), ...Object.keys(actual)]);
  return [...names].filter((n) => manifest.files[n] !== actual[n]).sort();
}
