/**
 * Scoring throughput on a bench preset: tokens per second of per-example answer NLL in batches of the preset's
 * size (prompt and answer tokens both counted, as the forward pass reads them), after one warm-up run.
 * With `profile`, ORT's per-op breakdown of the last scoring run (profiling slows each kernel a little).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { AnswerScorer } from "../gpu-runner/scoring/index.ts";
import { modelFlopsPerToken } from "../gpu-runner/models/decoder/model-flops.ts";
import { benchSetup, randomRows, type BenchOptions } from "./bench-small.ts";
import { measureMatmulPeak } from "./matmul-peak.ts";
import { lastRunBreakdown, modelWidths, takeProfile, type RunBreakdown } from "./ort-profile.ts";

export interface ScoreBenchOptions extends BenchOptions {
  /** Profile the scoring runs with ORT's profiler (the breakdown is of the last one). */
  readonly profile?: boolean;
}

export interface ScoreBenchResult {
  score_tokens_per_s: number;
  score_batch_ms: number;
  /** CPU time of this process per batch (all threads): a load-independent view on a shared machine. */
  score_batch_cpu_ms: number;
  steps: number;
  best_batch_ms: number;
  /** Forward FLOPs per token with the LM head at the answer half only (see model-flops.ts). */
  model_gflop_per_token: number;
  achieved_gflops: number;
  matmul_peak_gflops: number;
  mfu: number;
  profile?: RunBreakdown;
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export async function runScoreBench(opts: ScoreBenchOptions = {}): Promise<ScoreBenchResult> {
  const setup = benchSetup(opts.preset);
  const steps = opts.steps ?? 3;
  const half = setup.seqLen / 2;
  const items = randomRows(setup.batchSize, setup.seqLen, setup.checkpoint.config.vocabSize, 9).map((ids) => ({
    promptIds: ids.slice(0, half),
    answerIds: ids.slice(half),
  }));
  const profileDir = opts.profile ? await mkdtemp(join(tmpdir(), "guardtune-profile-")) : undefined;
  const scorer = new AnswerScorer(setup.checkpoint, {
    intraOpThreads: opts.threads ?? 2,
    ep: opts.ep ?? "cpu",
    ...(profileDir ? { enableProfiling: true, profileFilePrefix: join(profileDir, "score") } : {}),
  });
  let released = false;
  const batchTokens = setup.batchSize * setup.seqLen;
  const threads = opts.threads ?? 2;
  try {
    const peakBefore = await measureMatmulPeak(threads);
    await scorer.score(items, { maxBatchTokens: batchTokens });
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let best = Infinity;
    for (let i = 0; i < steps; i++) {
      const s0 = performance.now();
      await scorer.score(items, { maxBatchTokens: batchTokens });
      best = Math.min(best, performance.now() - s0);
    }
    const ms = (performance.now() - t0) / steps;
    const c = process.cpuUsage(c0);
    const cpuMs = (c.user + c.system) / 1000 / steps;
    const peak = Math.max(peakBefore, await measureMatmulPeak(threads));
    const flops = modelFlopsPerToken(setup.checkpoint.config, "forward", {
      seqLen: setup.seqLen,
      lmHeadFraction: (setup.seqLen - half) / setup.seqLen,
    }).total;
    const achieved = (flops * batchTokens) / (best / 1000) / 1e9;
    let profile: RunBreakdown | undefined;
    if (profileDir) {
      await scorer.release(); // ORT writes the profile when the session ends
      released = true;
      const [events] = await takeProfile(join(profileDir, "score"));
      const cfg = setup.checkpoint.config;
      profile = lastRunBreakdown(events, modelWidths(cfg, setup.seqLen));
    }
    return {
      score_tokens_per_s: Math.round(batchTokens / (ms / 1000)),
      score_batch_ms: Math.round(ms),
      score_batch_cpu_ms: Math.round(cpuMs),
      steps,
      best_batch_ms: Math.round(best),
      model_gflop_per_token: round(flops / 1e9, 4),
      achieved_gflops: round(achieved),
      matmul_peak_gflops: round(peak),
      mfu: round(achieved / peak, 3),
      ...(profile ? { profile } : {}),
    };
  } finally {
    if (!released) await scorer.release();
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await runScoreBench({ steps: Number(process.argv[2] ?? 3) })));
}
