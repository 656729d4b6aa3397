import { parseArgs } from "node:util";
import { BENCH_PRESETS, type BenchOptions, type BenchPreset } from "../../bench/bench-small.ts";
import { formatShares, type RunBreakdown } from "../../bench/ort-profile.ts";

/** PyTorch 1.13 CPU (OpenBLAS, 2 threads) on the bench-small preset, measured on the reference machine. */
const PYTORCH_CPU_REFERENCE = { train: 481, score: 690 } as const;

/**
 * PyTorch 2.11 eager fp32 (no TF32) on one H200, the same shapes, LoRA and AdamW: the reference a WebGPU run
 * on a GPU is reported against (tokens/s).
 */
const PYTORCH_H200_REFERENCE: Readonly<Record<BenchPreset, { train: number; score: number }>> = {
  "bench-small": { train: 38965, score: 159272 },
  "bench-medium": { train: 28743, score: 65176 },
};

/** The reference numbers that apply to this run, with our ratio to each. */
function references(kind: "train" | "score", opts: BenchOptions, tokensPerSecond: number): Record<string, number> {
  const out: Record<string, number> = {};
  const ratio = (ref: number) => Math.round((tokensPerSecond / ref) * 1000) / 1000;
  if (opts.ep === "cpu" && opts.preset === "bench-small") {
    out[`pytorch_cpu_${kind}_tokens_per_s`] = PYTORCH_CPU_REFERENCE[kind];
    out.ratio_to_pytorch_cpu = ratio(PYTORCH_CPU_REFERENCE[kind]);
  }
  if (opts.ep === "webgpu") {
    const ref = PYTORCH_H200_REFERENCE[opts.preset ?? "bench-small"][kind];
    out[`pytorch_h200_cuda_fp32_${kind}_tokens_per_s`] = ref;
    out.ratio_to_pytorch_h200 = ratio(ref); // meaningful only when the adapter is an H200
  }
  return out;
}

const USAGE =
  "usage: guardtune bench matmul|train|score|generate [--preset bench-small|bench-medium] [--threads 2] [--ep cpu|webgpu] [--steps N] [--json]\n" +
  "       guardtune bench train|score --profile   (ORT's per-op time breakdown of one training step / scoring run)\n";

function printProfile(p: RunBreakdown & { stepMs?: number; hostMs?: number }): void {
  if (p.stepMs !== undefined && p.hostMs !== undefined)
    process.stdout.write(
      `one training step: ${p.stepMs.toFixed(0)} ms = ORT run ${p.runMs.toFixed(0)} ms (kernels ${p.kernelMs.toFixed(0)} ms) ` +
        `+ host side ${p.hostMs.toFixed(0)} ms (${((100 * p.hostMs) / p.stepMs).toFixed(1)} %: batch building, feeds, clipping, AdamW)\n\n`,
    );
  else
    process.stdout.write(`one scoring run: ORT run ${p.runMs.toFixed(0)} ms (kernels ${p.kernelMs.toFixed(0)} ms)\n\n`);
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
        ...references("train", opts, r.train_tokens_per_s),
      };
      break;
    }
    case "score": {
      const { runScoreBench } = await import("../../bench/score.ts");
      const { profile, ...r } = await runScoreBench({ ...opts, profile: values.profile });
      if (profile && !values.json) printProfile(profile);
      result = {
        ...r,
        ...(profile && values.json ? { profile } : {}),
        threads,
        ep: opts.ep,
        preset: opts.preset,
        ...references("score", opts, r.score_tokens_per_s),
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
