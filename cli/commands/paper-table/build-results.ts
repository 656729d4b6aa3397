/** Assembles and validates `results.json` from the finished cells, and writes the three outputs. */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { ORGANISM_MODEL, ORGANISM_UNALIGNED_MODEL } from "../../../core/models/organism-models.ts";
import { chartSvg } from "./chart-svg.ts";
import { baseOf, costsOf, probeVsJudge, toRun, type FinishedCell } from "./collect-results.ts";
import { METHOD_IDS, recipeHyperparameters, type Task } from "./matrix.ts";
import { resultsSchema, type Results } from "./results-schema.ts";
import { tableMarkdown } from "./table-markdown.ts";

export function buildResults(
  finished: readonly FinishedCell[],
  meta: {
    command: string;
    startedAt: Date;
    wallSeconds: number;
    quick: boolean;
    seeds: number;
    tasks: readonly Task[];
  },
): Results {
  const runs = finished.map(toRun);
  return resultsSchema.parse({
    schema_version: 1,
    model: ORGANISM_MODEL,
    unaligned_model: ORGANISM_UNALIGNED_MODEL,
    command: meta.command,
    started_at: meta.startedAt.toISOString(),
    wall_seconds: meta.wallSeconds,
    quick: meta.quick,
    seeds: Array.from({ length: meta.seeds }, (_, i) => i + 1),
    tasks: meta.tasks.map((t) => t.id),
    methods: [...METHOD_IDS],
    hyperparameters: recipeHyperparameters(),
    ...baseOf(finished),
    runs,
    cost: costsOf(runs),
    probe_vs_judge: probeVsJudge(runs),
  });
}

/** results.json, table.md and chart.svg under `dir`; returns their paths. */
export async function writeOutputs(dir: string, results: Results): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: [string, string][] = [
    ["results.json", `${JSON.stringify(results, null, 2)}\n`],
    ["table.md", tableMarkdown(results)],
    ["chart.svg", chartSvg(results)],
  ];
  for (const [name, text] of files) await writeFile(path.join(dir, name), text);
  return files.map(([name]) => path.join(dir, name));
}
