import { parseArgs } from "node:util";
import { BENCH_PRESETS, type BenchOptions, type BenchPreset } from "../../bench/bench-small.ts";
import { formatShares, type RunBreakdown } from "../../bench/ort-profile.ts";

/** PyTorch 1.13 CPU (OpenBLAS, 2 threads) on the bench-small preset, measured on the reference machine. */
const PYTORCH_CPU_REFERENCE = { train: 481, score: 690 } as const;

const USAGE =
  "usage: guardtune bench matmul|train|score|generate [--preset bench-small] [--threads 2] [--ep cpu|webgpu] [--steps N] [--json]\n" +
  "       guardtune bench train --profile   (ORT's per-op time breakdown of one training step)\n";

function printProfile(p: RunBreakdown & { stepMs: number; hostMs: number }): void {
  const pct = (ms: number) => `${((100 * ms) / p.stepMs).toFixed(1)} %`;
  process.stdout.write(
    `one training step: ${p.stepMs.toFixed(0)} ms = ORT run ${p.runMs.toFixed(0)} ms (kernels ${p.kernelMs.toFixed(0)} ms) ` +
      `+ host side ${p.hostMs.toFixed(0)} ms (${pct(p.hostMs)}: batch building, feeds, clipping, AdamW)\n\n`,
  );
  process.stdout.write(`${formatShares("where the time goes", p.byCategory, 30)}\n\n`);
  process.stdout.write(`${formatShares("op type", p.byOpType, 30)}\n\n`);
  process.stdout.write(`${formatShares("matmul shapes", p.matmulShapes, 30)}\n\n`);
}

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
        profile: { type: "boolean", default: false },
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
      const { profile, ...r } = await runTrainBench({ ...opts, profile: values.profile });
      if (profile && !values.json) printProfile(profile);
      result = {
        ...r,
        ...(profile && values.json ? { profile } : {}),
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
    case "generate": {
      const { runGenerateBench } = await import("../../bench/generate.ts");
      result = { ...(await runGenerateBench(opts)), threads, ep: opts.ep, preset: opts.preset };
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
