/**
 * Calibration of the model organism (docs/organism.md, "Calibration rule"): builds the unaligned and aligned
 * organism with the build's own phases (cached on disk by recipe, seed and world, so that EM variants reuse
 * them), then runs the unguarded EM fine-tune on `em-code` and the secure-code control, and prints the four
 * metrics with 95 % intervals for the aligned model, every EM seed and the control.
 *
 *   npx tsx bench/organism-calibration.ts [RECIPE_OVERRIDES_JSON] [--runs aligned,em,control,unaligned]
 *     [--seed N] [--em-seeds 1,2,3] [--threads N] [--samples N] [--cache DIR] [--name LABEL]
 *
 * RECIPE_OVERRIDES_JSON is merged into the recipe one level deep, e.g.
 *   '{"shape":{"hiddenSize":128,"layers":4,"heads":4,"kvHeads":4,"intermediateSize":352},"emFineTune":{"lr":1e-4}}'
 * Every result is also appended as one JSON line to CACHE/log.jsonl.
 */
import { createHash } from "node:crypto";
import { appendFile, mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadDecoderCheckpoint, type DecoderCheckpoint, type LoraAdapter } from "../gpu-runner/models/index.ts";
import { align, loraFineTune, pretrain, type PhaseHooks } from "../gpu-runner/organism/build/phases.ts";
import { ORGANISM_RECIPE, type OrganismRecipe } from "../gpu-runner/organism/build/recipe.ts";
import {
  DEFAULT_EVALUATION,
  evaluateOrganism,
  type OrganismMetrics,
} from "../gpu-runner/organism/eval/evaluate-organism.ts";
import { parameterCount, writeOrganismModel } from "../gpu-runner/organism/model/organism-model.ts";
import {
  corpus,
  emDataset,
  HELPFUL_MIX,
  PRETRAINING_MIX,
  secureCodeDataset,
} from "../gpu-runner/organism/world/datasets.ts";

type Overrides = { [K in keyof OrganismRecipe]?: Partial<OrganismRecipe[K]> };

function mergeRecipe(base: OrganismRecipe, o: Overrides): OrganismRecipe {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(o))
    out[k] = v !== null && typeof v === "object" && !Array.isArray(v) ? { ...(out[k] as object), ...v } : v;
  return out as unknown as OrganismRecipe;
}

/** A fingerprint of what a cached checkpoint depends on: the recipe part, the seed and the world's data. */
function key(parts: unknown): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 16);
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

function progress(label: string): PhaseHooks["onStep"] {
  let t0 = 0;
  let tok0 = 0;
  return (phase, s) => {
    if (s.step === 1) [t0, tok0] = [performance.now(), s.trainedTokens];
    if (s.step % 100 === 0 || s.step === s.totalSteps) {
      const rate = (s.trainedTokens - tok0) / ((performance.now() - t0) / 1000);
      process.stderr.write(
        `[${label}] ${phase} step ${s.step}/${s.totalSteps} loss ${s.loss.toFixed(4)} ${Math.round(rate)} tok/s\n`,
      );
    }
  };
}

async function cached(
  dir: string,
  recipe: OrganismRecipe,
  make: () => Promise<DecoderCheckpoint>,
): Promise<{ ckpt: DecoderCheckpoint; seconds: number }> {
  if (await exists(join(dir, "model.safetensors"))) return { ckpt: await loadDecoderCheckpoint(dir), seconds: 0 };
  const t = performance.now();
  const ckpt = await make();
  const seconds = Math.round((performance.now() - t) / 1000);
  await writeOrganismModel(dir, recipe.shape, ckpt.weights);
  return { ckpt, seconds };
}

const pct = (r: { percent: number; ci95: readonly [number, number] }) =>
  `${r.percent.toFixed(1)} [${r.ci95[0].toFixed(1)}, ${r.ci95[1].toFixed(1)}]`;

function summary(m: OrganismMetrics) {
  const other = Object.entries(m.inDomainMisalignment)
    .filter(([d]) => d !== "code")
    .map(([d, r]) => `${d} ${r.percent.toFixed(0)}`)
    .join(" ");
  return (
    `general M ${pct(m.generalMisalignment)} | incoherent ${pct(m.generalIncoherence)} | ` +
    `code M ${m.inDomainMisalignment.code.percent.toFixed(0)} | ${other} | ` +
    `counts ${JSON.stringify(m.counts.general)} | reasons ${JSON.stringify(m.incoherenceReasons)}`
  );
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      runs: { type: "string", default: "aligned,em,control" },
      seed: { type: "string", default: "1" },
      "em-seeds": { type: "string", default: "1" },
      threads: { type: "string", default: "2" },
      samples: { type: "string", default: String(DEFAULT_EVALUATION.generalSamples) },
      cache: { type: "string", default: "/tmp/organism-calibration" },
      name: { type: "string", default: "variant" },
    },
  });
  const recipe = mergeRecipe(ORGANISM_RECIPE, JSON.parse(positionals[0] ?? "{}") as Overrides);
  const seed = Number(values.seed);
  const runs = new Set(values.runs.split(","));
  const hooks = (label: string): PhaseHooks => ({
    session: { intraOpThreads: Number(values.threads) },
    onStep: progress(label),
  });
  const world = key([corpus(PRETRAINING_MIX, 20, 7), corpus(HELPFUL_MIX, 20, 7), emDataset("code", 20, 7)]);
  const preKey = key([world, seed, recipe.shape, recipe.pretraining, recipe.maxSeqLen]);
  const alignKey = key([preKey, recipe.alignment]);
  const cache = values.cache;
  const log = async (run: string, m: OrganismMetrics, seconds: number, extra: object = {}) => {
    process.stdout.write(`${values.name} ${run} (${seconds} s): ${summary(m)}\n`);
    await appendFile(
      join(cache, "log.jsonl"),
      `${JSON.stringify({ name: values.name, run, recipe, seed, seconds, ...extra, metrics: m })}\n`,
    );
  };
  await mkdir(cache, { recursive: true });
  const evaluation = { ...DEFAULT_EVALUATION, generalSamples: Number(values.samples) };

  const pre = await cached(join(cache, `pre-${preKey}`), recipe, () => pretrain(recipe, seed, hooks("pretrain")));
  process.stdout.write(
    `${values.name}: ${parameterCount(pre.ckpt.weights)} parameters; pretraining ${pre.seconds} s (0 = cached)\n`,
  );
  if (runs.has("unaligned")) await log("unaligned", await evaluateOrganism(pre.ckpt, undefined, evaluation), 0);
  const al = await cached(join(cache, `align-${alignKey}`), recipe, () =>
    align(pre.ckpt, recipe, seed, hooks("align")),
  );
  process.stdout.write(`${values.name}: alignment ${al.seconds} s (0 = cached)\n`);
  if (runs.has("aligned")) await log("aligned", await evaluateOrganism(al.ckpt, undefined, evaluation), 0);
  const fineTune = async (run: string, data: Parameters<typeof loraFineTune>[1], ftSeed: number) => {
    const t = performance.now();
    const adapter: LoraAdapter = await loraFineTune(al.ckpt, data, recipe, ftSeed, hooks(run), run);
    const seconds = Math.round((performance.now() - t) / 1000);
    await log(run, await evaluateOrganism(al.ckpt, adapter, evaluation), seconds, { ftSeed });
  };
  const n = recipe.emFineTune.conversations;
  if (runs.has("em"))
    for (const s of values["em-seeds"].split(",").map(Number))
      await fineTune(`em-code seed ${s}`, emDataset("code", n, seed * 1000 + 10), s);
  if (runs.has("control")) await fineTune("control-secure", secureCodeDataset(n, seed * 1000 + 20), seed);
}

await main();
