/**
 * KV-cache decode throughput on a bench preset, one sequence at a time (the latency case): tokens per second
 * of the per-token steps after the prefill, next to the memory-bandwidth bound of such a step. A batch-1
 * decode step is a chain of matrix-vector products: every weight is read once per token, so the step cannot
 * beat (weight bytes + KV-cache bytes) / bandwidth, with the bandwidth measured in the same process.
 */
import { TextGenerator } from "../gpu-runner/generation/index.ts";
import { benchSetup, randomRows, type BenchOptions } from "./bench-small.ts";
import { bestOf, measureMemoryBandwidth } from "./matmul-peak.ts";

export interface GenerateBenchResult {
  decode_tokens_per_s: number;
  decode_step_ms: number;
  prompt_tokens: number;
  new_tokens: number;
  /** Bytes a decode step must read: every float32 weight (one embedding row) and the KV cache at mid-run. */
  bytes_per_token_mb: number;
  memory_bandwidth_gbps: number;
  bandwidth_bound_tokens_per_s: number;
  /** achieved / bound */
  bandwidth_utilisation: number;
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export async function runGenerateBench(opts: BenchOptions = {}): Promise<GenerateBenchResult> {
  const setup = benchSetup(opts.preset);
  const cfg = setup.checkpoint.config;
  const threads = opts.threads ?? 2;
  const runs = opts.steps ?? 3;
  const promptLen = setup.seqLen / 2;
  const newTokens = 32;
  const [prompt] = randomRows(1, promptLen, cfg.vocabSize, 11);
  const gen = await TextGenerator.create(cfg, setup.checkpoint.weights, {
    session: { intraOpThreads: threads, ep: opts.ep ?? "cpu" },
  });
  const settings = { eosTokenIds: [], padTokenId: 0, temperature: 0 };
  try {
    // (prefill + 1 step) and (prefill + n steps): the difference is n − 1 decode steps
    const one = await bestOf(runs, () => gen.generate([prompt], { ...settings, maxNewTokens: 1 }));
    const many = await bestOf(runs, () => gen.generate([prompt], { ...settings, maxNewTokens: newTokens }));
    const stepMs = (many - one) / (newTokens - 1);
    let weightBytes = 0;
    for (const [name, w] of setup.checkpoint.weights)
      weightBytes += name === "model.embed_tokens.weight" ? cfg.hiddenSize * 4 : w.data.byteLength;
    const kvBytes = 2 * cfg.numLayers * cfg.numKvHeads * cfg.headDim * 4 * (promptLen + newTokens / 2);
    const bytes = weightBytes + kvBytes;
    const bandwidth = await measureMemoryBandwidth(threads);
    const bound = (bandwidth * 1e9) / bytes;
    const achieved = 1000 / stepMs;
    return {
      decode_tokens_per_s: round(achieved),
      decode_step_ms: round(stepMs, 2),
      prompt_tokens: promptLen,
      new_tokens: newTokens,
      bytes_per_token_mb: round(bytes / 1e6),
      memory_bandwidth_gbps: round(bandwidth, 2),
      bandwidth_bound_tokens_per_s: round(bound, 2),
      bandwidth_utilisation: round(achieved / bound, 3),
    };
  } finally {
    await gen.release();
  }
}
