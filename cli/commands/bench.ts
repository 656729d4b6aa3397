import { parseArgs } from "node:util";
import { BENCH_PRESETS, type BenchOptions, type BenchPreset } from "../../bench/bench-small.ts";

/** PyTorch 1.13 CPU (OpenBLAS, 2 threads) on the bench-small preset, measured on the reference machine. */
const PYTORCH_CPU_REFERENCE = { train: 481, score: 690 } as const;

const USAGE =
  "usage: guardtune bench matmul|train|score [--preset bench-small] [--threads 2] [--ep cpu|webgpu] [--steps N] [--json]\n";

/** `guardtune bench matmul|train|score`: engine and model throughput on fixed presets. */
export async function benchCommand(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        preset: { type: "string", default: "bench-small" },
        threads: { type: "string", default: "2" },
        ep: { type: "string", default: "cpu" },
        steps: { type: "string" },
        json: { type: "boolean", default: false },
      },
    }));
  } catch (e) {
    process.stderr.write(`guardtune bench: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const threads = Number(values.threads);
  const steps = values.steps === undefined ? undefined : Number(values.steps);
  if (
    !(BENCH_PRESETS as readonly string[]).includes(values.preset) ||
    (values.ep !== "cpu" && values.ep !== "webgpu") ||
    !(threads >= 0) ||
    (steps !== undefined && !(steps >= 1))
  ) {
    process.stderr.write(
      `guardtune bench: bad option (presets: ${BENCH_PRESETS.join(", ")}; ep: cpu or webgpu)\n${USAGE}`,
    );
    return 2;
  }
  const opts: BenchOptions = { preset: values.preset as BenchPreset, threads, ep: values.ep, steps };
  let result: Record<string, unknown>;
  switch (what) {
    case "matmul": {
      const { runMatmulBench } = await import("../../bench/engine-matmul.ts");
      result = await runMatmulBench({ threads, steps, json: true });
      break;
    }
    case "train": {
      const { runTrainBench } = await import("../../bench/train.ts");
      const r = await runTrainBench(opts);
      result = {
        ...r,
        threads,
        ep: opts.ep,
        preset: opts.preset,
        ...(opts.ep === "cpu" ? { pytorch_cpu_train_tokens_per_s: PYTORCH_CPU_REFERENCE.train } : {}),
      };
      break;
    }
    case "score": {
      const { runScoreBench } = await import("../../bench/score.ts");
      const r = await runScoreBench(opts);
      result = {
        ...r,
        threads,
        ep: opts.ep,
        preset: opts.preset,
        ...(opts.ep === "cpu" ? { pytorch_cpu_score_tokens_per_s: PYTORCH_CPU_REFERENCE.score } : {}),
      };
      break;
    }
    default:
      process.stderr.write(USAGE);
      return 2;
  }
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else
    for (const [k, v] of Object.entries(result))
      process.stdout.write(`${k.padEnd(36)} ${typeof v === "object" ? JSON.stringify(v) : String(v)}\n`);
  return 0;
}
