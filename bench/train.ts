/**
 * Training throughput of the LoRA loop on a bench preset: non-pad tokens per second over the timed optimizer
 * steps (forward, backward, gradient clipping and AdamW included), after one warm-up step that loads the graph.
 * Next to it the model FLOP rate of the best step over the raw MatMul peak measured in the same process
 * (before and after the steps; the better of the two), and with `profile` ORT's per-op breakdown of the last
 * step plus the host-side time around it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { modelFlopsPerToken } from "../gpu-runner/models/decoder/model-flops.ts";
import { trainAdapter } from "../gpu-runner/training/index.ts";
import { benchSetup, randomRows, type BenchOptions } from "./bench-small.ts";
import { measureMatmulPeak } from "./matmul-peak.ts";
import { lastRunBreakdown, modelWidths, takeProfile, type RunBreakdown } from "./ort-profile.ts";

export interface TrainBenchOptions extends BenchOptions {
  /** Profile the last step with ORT's profiler. */
  readonly profile?: boolean;
}

export interface TrainBenchResult {
  train_tokens_per_s: number;
  train_step_ms: number;
  best_step_ms: number;
  /** CPU time of this process per step (all threads): a load-independent view on a shared machine. */
  train_step_cpu_ms: number;
  steps: number;
  model_gflop_per_token: number;
  /** Model FLOPs per second of the best step. */
  achieved_gflops: number;
  matmul_peak_gflops: number;
  /** achieved / peak */
  mfu: number;
  profile?: RunBreakdown & { stepMs: number; hostMs: number };
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export async function runTrainBench(opts: TrainBenchOptions = {}): Promise<TrainBenchResult> {
  const setup = benchSetup(opts.preset);
  const threads = opts.threads ?? 2;
  const steps = opts.steps ?? 3;
  const rows = randomRows(setup.batchSize * (steps + 1), setup.seqLen, setup.checkpoint.config.vocabSize, 7);
  const marks: number[] = [];
  const cpu: number[] = [];
  const profileDir = opts.profile ? await mkdtemp(join(tmpdir(), "guardtune-profile-")) : undefined;
  const peakBefore = await measureMatmulPeak(threads);
  try {
    await trainAdapter({
      checkpoint: setup.checkpoint,
      tokenizer: { padTokenId: 0 },
      examples: rows.map((ids) => ({ inputIds: ids, labels: ids })),
      hyperparameters: {
        epochs: 1,
        batchSize: setup.batchSize,
        lr: 1e-4,
        weightDecay: 0.01,
        maxSeqLen: setup.seqLen,
        seed: 1,
      },
      lora: setup.lora,
      session: {
        intraOpThreads: threads,
        ep: opts.ep ?? "cpu",
        ...(profileDir ? { enableProfiling: true, profileFilePrefix: join(profileDir, "train") } : {}),
      },
      onStep: () => {
        marks.push(performance.now());
        const c = process.cpuUsage();
        cpu.push((c.user + c.system) / 1000);
      },
    });
    const peak = Math.max(peakBefore, await measureMatmulPeak(threads));
    const stepMs = marks.slice(1).map((m, i) => m - marks[i]);
    const ms = (marks[marks.length - 1] - marks[0]) / steps;
    const best = Math.min(...stepMs);
    const cpuMs = (cpu[cpu.length - 1] - cpu[0]) / steps;
    const tokens = setup.batchSize * setup.seqLen;
    const flops = modelFlopsPerToken(setup.checkpoint.config, "lora-train", {
      seqLen: setup.seqLen,
      lora: setup.lora,
    }).total;
    const achieved = (flops * tokens) / (best / 1000) / 1e9;
    let profile: TrainBenchResult["profile"];
    if (profileDir) {
      const [events] = await takeProfile(join(profileDir, "train"));
      const cfg = setup.checkpoint.config;
      const b = lastRunBreakdown(events, modelWidths(cfg, setup.seqLen));
      // The last step's wall time less ORT's run: batch building, feeds, gradient clipping, AdamW, copies.
      profile = { ...b, stepMs: stepMs[stepMs.length - 1], hostMs: stepMs[stepMs.length - 1] - b.runMs };
    }
    return {
      train_tokens_per_s: Math.round(tokens / (ms / 1000)),
      train_step_ms: Math.round(ms),
      best_step_ms: Math.round(best),
      train_step_cpu_ms: Math.round(cpuMs),
      steps,
      model_gflop_per_token: round(flops / 1e9, 4),
      achieved_gflops: round(achieved),
      matmul_peak_gflops: round(peak),
      mfu: round(achieved / peak, 3),
      ...(profile ? { profile } : {}),
    };
  } finally {
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await runTrainBench({ steps: Number(process.argv[2] ?? 3) })));
}
