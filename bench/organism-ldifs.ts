/**
 * What LDIFS's λ does on the model organism (docs/safeguards.md, "λ"): the organism's unguarded EM recipe on
 * its insecure-code set, through the whole service (embedded stack, public API, the organism's default
 * evaluation and gate), once with no defense and once per λ. Prints, per run, the exact judge's general
 * misalignment and incoherence, in-domain (code) misalignment and misalignment on the other domains, OpSwap
 * accuracy, the probe's mean margin and the gate's decision; with `--control`, also the unguarded recipe on
 * the secure-code control. The base model's evaluation is computed by the first job and read from the
 * runner's cache by the others.
 *
 *   npx tsx bench/organism-ldifs.ts [--lambdas 0.1,1,10] [--seed 1] [--threads 2] [--no-baseline] [--control]
 *
 * Needs the built organism under models/organism/ (`guardtune organism build`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { uploadDataset } from "../cli/commands/demo-reference-kit.ts";
import { ApiClient } from "../cli/commands/demo-support.ts";
import { startStack } from "../cli/stack.ts";
import { createApiKey } from "../core/auth/api-keys.ts";
import { loadConfig } from "../core/config/load-config.ts";
import { ORGANISM_DOMAINS } from "../core/models/organism-models.ts";
import {
  organismEvaluationSchema,
  type OrganismModelMetrics,
  type OrganismRate,
} from "../core/safeguards/organism-evaluation-result.ts";
import { toJsonl } from "../gpu-runner/organism/build/job-datasets.ts";
import { organismRecipeJob } from "../gpu-runner/organism/build/recipe-job.ts";
import { emDataset, secureCodeDataset } from "../gpu-runner/organism/world/datasets.ts";

const { values } = parseArgs({
  options: {
    lambdas: { type: "string", default: "0.1,1,10" },
    seed: { type: "string", default: "1" },
    threads: { type: "string", default: "2" },
    "no-baseline": { type: "boolean", default: false },
    control: { type: "boolean", default: false },
  },
});
const lambdas = values.lambdas.split(",").map(Number);
const seed = Number(values.seed);

interface JobView {
  id: string;
  status: string;
  error: { code: string } | null;
  result: {
    evaluation: { organism: unknown; fine_tuned: { probe?: { mean_margin: number } } } | null;
    gate: { passed: boolean; reasons: string[] } | null;
  } | null;
}

const pct = (r: OrganismRate) =>
  `${(100 * r.rate).toFixed(1)} [${(100 * r.ci95[0]).toFixed(1)}, ${(100 * r.ci95[1]).toFixed(1)}]`;

function row(label: string, m: OrganismModelMetrics, job: JobView, seconds: number): string {
  const others = ORGANISM_DOMAINS.filter((d) => d !== "code").map((d) => 100 * m.in_domain_misalignment[d].rate);
  const margin = job.result?.evaluation?.fine_tuned.probe?.mean_margin;
  const gate = job.result?.gate
    ? job.result.gate.passed
      ? "passed"
      : `failed (${job.result.gate.reasons.join(", ")})`
    : "—";
  return (
    `| ${label} | ${pct(m.general_misalignment)} | ${pct(m.general_incoherence)} | ` +
    `${(100 * m.in_domain_misalignment.code.rate).toFixed(0)} | ${Math.min(...others).toFixed(0)}–${Math.max(...others).toFixed(0)} | ` +
    `${(100 * m.opswap_accuracy.rate).toFixed(0)} | ${margin === undefined ? "—" : margin.toFixed(3)} | ${gate} | ${seconds.toFixed(0)} |`
  );
}

const dataDir = mkdtempSync(path.join(tmpdir(), "guardtune-bench-ldifs-"));
const config = loadConfig({
  LOG_LEVEL: "warn",
  GUARDTUNE_RUNNER: "embedded",
  GUARDTUNE_RUNNER_POLL_WAIT: "1s",
  GUARDTUNE_THREADS: values.threads,
  GUARDTUNE_DATA_DIR: dataDir,
});
const stack = await startStack({
  ...config,
  http: { ...config.http, port: 0 },
  database: { kind: "pglite", dataDir: "memory" },
});
try {
  const api = new ApiClient(stack.url, (await createApiKey(stack.deps.db, { tenant: "bench" })).key);
  const dataset = await uploadDataset(api, "em-code.jsonl", toJsonl(emDataset("code", 2000, seed * 1000 + 10)));
  // the seeds `guardtune organism datasets --seed N` uses for these files
  const control = values.control
    ? await uploadDataset(api, "control-secure.jsonl", toJsonl(secureCodeDataset(2000, seed * 1000 + 20)))
    : null;
  const runs: { label: string; dataset: string; safeguards: Record<string, unknown>[] }[] = [
    ...(values["no-baseline"] ? [] : [{ label: "none", dataset: dataset.id, safeguards: [] }]),
    ...(control ? [{ label: "none, secure-code control", dataset: control.id, safeguards: [] }] : []),
    ...lambdas.map((lambda) => ({
      label: `ldifs λ = ${lambda}`,
      dataset: dataset.id,
      safeguards: [{ type: "ldifs", lambda }],
    })),
  ];
  const lines = [
    "| run | general M % [95 % CI] | general incoherent % | in-domain (code) M % | other domains M % | OpSwap % | probe margin | gate | s |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  let base: OrganismModelMetrics | undefined;
  for (const run of runs) {
    const t0 = performance.now();
    const created = await api.call<JobView>(
      "POST",
      "/v1/jobs",
      organismRecipeJob(run.dataset, { safeguards: run.safeguards }),
    );
    let job: JobView;
    for (;;) {
      job = await api.call<JobView>("GET", `/v1/jobs/${created.id}`);
      if (["succeeded", "failed", "cancelled"].includes(job.status)) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    const seconds = (performance.now() - t0) / 1000;
    if (!job.result?.evaluation)
      throw new Error(`${run.label}: the job ended ${job.status} without an evaluation (${JSON.stringify(job.error)})`);
    const organism = organismEvaluationSchema.parse(job.result.evaluation.organism);
    if (!base) {
      base = organism.base;
      lines.push(row("base (aligned organism)", base, { ...job, result: null }, 0));
    }
    lines.push(row(run.label, organism.fine_tuned, job, seconds));
    console.log(lines.at(-1));
  }
  console.log(`\n${lines.join("\n")}`);
} finally {
  await stack.close();
  rmSync(dataDir, { recursive: true, force: true });
}
