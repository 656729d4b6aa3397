/**
 * `guardtune paper-table`: the paper's table of in-training defenses (Kaczér et al., arXiv 2508.06249)
 * reproduced on the model organism, every cell a real fine-tuning job through the public API
 * (docs/paper-table.md).
 */
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { buildResults, writeOutputs } from "./build-results.ts";
import type { FinishedCell } from "./collect-results.ts";
import { cellsFor, checkMatrix, METHOD_IDS, parseMethods, tasksFor } from "./matrix.ts";
import { createProgressDisplay } from "./progress-display.ts";
import { runCells } from "./run-jobs.ts";
import { embeddedTarget, remoteTarget, type Target } from "./target.ts";
import { uploadTaskDatasets } from "./upload-datasets.ts";

const METHOD_LIST = METHOD_IDS.join(", ");

export const USAGE = `usage: guardtune paper-table [--seeds N] [--quick] [--domains code|all] [--methods a,b] [--out DIR] [--json]
                            [--concurrency N] [--base-url URL --api-key KEY]
  --seeds N         seeds per cell (default 3; --quick: 1)
  --quick           one seed, the code EM task and OpSwap only, fewer evaluation samples
  --domains all     also the medical, finance, legal and sports EM tasks
  --methods a,b     only these methods (default all: ${METHOD_LIST})
  --out DIR         where results.json, table.md and chart.svg go (default paper-table/)
  --json            print results.json on stdout (progress goes to stderr)
  --concurrency N   jobs in flight; the embedded stack starts this many runners (default: the CPU count, ≤ 8)
  --base-url, --api-key   run against a running deployment instead of the embedded stack
`;

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`--${name} must be a positive integer, got '${value}'`);
  return n;
}

export async function paperTableCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      seeds: { type: "string" },
      quick: { type: "boolean" },
      domains: { type: "string" },
      methods: { type: "string" },
      out: { type: "string" },
      json: { type: "boolean" },
      concurrency: { type: "string" },
      "base-url": { type: "string" },
      "api-key": { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const quick = values.quick === true;
  const seeds = positiveInt(values.seeds, "seeds", quick ? 1 : 3);
  if (values.domains !== undefined && values.domains !== "code" && values.domains !== "all")
    throw new RangeError(`--domains must be 'code' or 'all', got '${values.domains}'`);
  if ((values["base-url"] === undefined) !== (values["api-key"] === undefined))
    throw new RangeError("--base-url and --api-key go together: give both, or neither for the embedded stack");
  const concurrency = positiveInt(values.concurrency, "concurrency", Math.min(8, availableParallelism()));
  const out = values.out ?? "paper-table";
  // with --json, stdout carries only the results
  const log = values.json ? process.stderr : process.stdout;
  const say = (line: string) => log.write(`${line}\n`);

  const tasks = tasksFor({ quick, allDomains: values.domains === "all" });
  const cells = cellsFor(tasks, seeds, parseMethods(values.methods));
  checkMatrix(cells, { quick });
  const startedAt = new Date();
  const started = performance.now();
  say(`guardtune paper-table: ${cells.length} jobs (${tasks.map((t) => t.id).join(", ")}; ${seeds} seed(s))`);
  const target: Target =
    values["base-url"] !== undefined
      ? remoteTarget(values["base-url"], values["api-key"]!)
      : await embeddedTarget(concurrency);
  let measuredAll = false;
  try {
    say(`  running on the ${target.description}, ${concurrency} job(s) at a time`);
    const datasetIds = await uploadTaskDatasets(target.api, tasks, say);
    const display = createProgressDisplay(process.stderr);
    const command = `guardtune paper-table ${argv.join(" ")}`.trim();
    const resultsOf = (finished: readonly FinishedCell[]) =>
      buildResults(finished, {
        command,
        startedAt,
        wallSeconds: (performance.now() - started) / 1000,
        quick,
        seeds,
        tasks,
      });
    let writing = Promise.resolve();
    const finished = await runCells(target.api, cells, {
      concurrency,
      quick,
      datasetIds,
      onProgress: (all) => display.update(all),
      // the outputs so far after every job, one write at a time: a long run that is stopped keeps its finished cells
      onFinished: (sofar) => (writing = writing.then(() => writeOutputs(out, resultsOf(sofar)).then(() => undefined))),
    });
    display.finish();
    const results = resultsOf(finished);
    const files = await writeOutputs(out, results);
    const unmeasured = results.runs.filter((r) => r.metrics.general_misalignment === null);
    measuredAll = unmeasured.length === 0;
    for (const r of unmeasured)
      say(
        `  ! ${r.task}/${r.method}/seed ${r.seed}: job ${r.job_id} ${r.status} (${r.error_code ?? "no code"}), not measured`,
      );
    say(`paper-table: ${results.runs.length} jobs in ${Math.round(results.wall_seconds)} s → ${files.join(", ")}`);
    if (values.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await target.close();
  }
  return measuredAll ? 0 : 1;
}
