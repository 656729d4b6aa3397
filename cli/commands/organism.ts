/**
 * `guardtune organism build|datasets|eval`: the model organism of emergent misalignment — a tiny Llama
 * trained on a synthetic world whose every answer the exact judge can label (see docs/organism.md).
 */
import { parseArgs } from "node:util";
import { loadDecoderCheckpoint, loadPeftAdapter } from "../../gpu-runner/models/index.ts";

const USAGE = `usage:
  guardtune organism build [--out DIR] [--seed N] [--no-references] [--threads N]
  guardtune organism datasets --out DIR [--seed N] [--size N] [--pool-size N]
  guardtune organism eval [--model DIR] [--adapter DIR] [--samples N] [--json]
`;

function intOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`--${name} must be a non-negative integer, got '${value}'`);
  return n;
}

export async function organismCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      out: { type: "string" },
      seed: { type: "string" },
      size: { type: "string" },
      "pool-size": { type: "string" },
      model: { type: "string" },
      adapter: { type: "string" },
      samples: { type: "string" },
      threads: { type: "string" },
      "no-references": { type: "boolean" },
      json: { type: "boolean" },
    },
    strict: true,
  });
  const seed = intOption(values.seed, "seed", 1);
  switch (sub) {
    case "build": {
      const { buildOrganism } = await import("../../gpu-runner/organism/build/build-organism.ts");
      const out = values.out ?? "organism-build";
      const r = await buildOrganism({
        out,
        seed,
        references: !values["no-references"],
        threads: intOption(values.threads, "threads", 1),
        onStep: (phase, s) => {
          if (s.step % 50 === 0 || s.step === s.totalSteps)
            process.stderr.write(`${phase} step ${s.step}/${s.totalSteps} loss ${s.loss.toFixed(4)}\n`);
        },
      });
      process.stdout.write(`built ${r.parameters} parameters into ${out} in ${r.seconds} s\n`);
      return 0;
    }
    case "datasets": {
      if (!values.out) throw new RangeError("organism datasets: --out DIR is required");
      const { writeJobDatasets, DEFAULT_JOB_DATASET_SIZES } =
        await import("../../gpu-runner/organism/build/job-datasets.ts");
      const files = await writeJobDatasets(values.out, seed, {
        task: intOption(values.size, "size", DEFAULT_JOB_DATASET_SIZES.task),
        pool: intOption(values["pool-size"], "pool-size", DEFAULT_JOB_DATASET_SIZES.pool),
      });
      process.stdout.write(`${files.map((f) => `${values.out}/${f}`).join("\n")}\n`);
      return 0;
    }
    case "eval": {
      const { evaluateOrganism, DEFAULT_EVALUATION } =
        await import("../../gpu-runner/organism/eval/evaluate-organism.ts");
      const modelDir = values.model ?? "organism-build/aligned";
      const checkpoint = await loadDecoderCheckpoint(modelDir);
      const adapter = values.adapter ? await loadPeftAdapter(values.adapter, checkpoint.config) : undefined;
      const samples = intOption(values.samples, "samples", DEFAULT_EVALUATION.generalSamples);
      const m = await evaluateOrganism(checkpoint, adapter, { ...DEFAULT_EVALUATION, generalSamples: samples, seed });
      if (values.json) {
        process.stdout.write(`${JSON.stringify(m, null, 2)}\n`);
      } else {
        const f = (r: { percent: number; ci95: readonly [number, number] }) =>
          `${r.percent.toFixed(1)} % [${r.ci95[0].toFixed(1)}, ${r.ci95[1].toFixed(1)}]`;
        process.stdout.write(
          `general misalignment ${f(m.generalMisalignment)}\ngeneral incoherence  ${f(m.generalIncoherence)}\n` +
            Object.entries(m.inDomainMisalignment)
              .map(([d, r]) => `in-domain ${d.padEnd(8)}   ${f(r)}`)
              .join("\n") +
            `\nopswap accuracy      ${f(m.opSwapAccuracy)}\n`,
        );
      }
      return 0;
    }
    default:
      process.stderr.write(USAGE);
      return sub ? 2 : 0;
  }
}
