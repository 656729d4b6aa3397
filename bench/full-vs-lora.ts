/**
 * Full-parameter vs LoRA training throughput on the same model and data: the organism (a ~1M-parameter
 * Llama) on its pretraining conversations, rsLoRA r 32 on every projection vs every weight trainable.
 * Non-pad tokens per second and process CPU ms per optimizer step over the timed steps (one warm-up step
 * loads each graph); the ratio full/LoRA is the number to read on a shared machine. Next to each, the model
 * FLOP rate (model-flops.ts, "full-train" vs "lora-train" at the recipe's row length, times non-pad tokens/s:
 * padding counts as waste) over the raw MatMul peak measured in the same process (MFU).
 *
 *   npx tsx bench/full-vs-lora.ts [steps] [threads]
 */
import { pathToFileURL } from "node:url";
import { encodeConversations, organismChatTokenizer } from "../gpu-runner/organism/build/encode.ts";
import { ORGANISM_RECIPE } from "../gpu-runner/organism/build/recipe.ts";
import { initialOrganism } from "../gpu-runner/organism/model/organism-model.ts";
import { corpus, PRETRAINING_MIX } from "../gpu-runner/organism/world/datasets.ts";
import { trainAdapter, type StepReport } from "../gpu-runner/training/index.ts";
import { trainFullParameters } from "../gpu-runner/training/train-full.ts";
import { modelFlopsPerToken } from "../gpu-runner/models/decoder/model-flops.ts";
import { measureMatmulPeak } from "./matmul-peak.ts";

export interface FullVsLoraResult {
  full_tokens_per_s: number;
  lora_tokens_per_s: number;
  full_step_cpu_ms: number;
  lora_step_cpu_ms: number;
  /** full tokens/s ÷ LoRA tokens/s, measured in the same run. */
  ratio: number;
  steps: number;
  parameters: number;
  full_model_gflop_per_token: number;
  lora_model_gflop_per_token: number;
  full_achieved_gflops: number;
  lora_achieved_gflops: number;
  matmul_peak_gflops: number;
  /** achieved / peak */
  full_mfu: number;
  lora_mfu: number;
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

function meter() {
  const marks: { t: number; cpu: number; tokens: number }[] = [];
  return {
    onStep: (r: StepReport) => {
      const c = process.cpuUsage();
      marks.push({ t: performance.now(), cpu: (c.user + c.system) / 1000, tokens: r.trainedTokens });
    },
    result: () => {
      const [a, b] = [marks[0], marks[marks.length - 1]];
      const steps = marks.length - 1;
      return { tokensPerS: (b.tokens - a.tokens) / ((b.t - a.t) / 1000), cpuMs: (b.cpu - a.cpu) / steps };
    },
  };
}

export async function runFullVsLora(steps = 6, threads = 1): Promise<FullVsLoraResult> {
  const recipe = ORGANISM_RECIPE;
  const batchSize = 16;
  const tok = organismChatTokenizer();
  const examples = encodeConversations(corpus(PRETRAINING_MIX, batchSize * (steps + 1), 5), "all", tok);
  const checkpoint = initialOrganism(recipe.shape, 1);
  const hyperparameters = { epochs: 1, batchSize, lr: 1e-3, maxSeqLen: recipe.maxSeqLen, seed: 1, shuffle: false };
  const session = { intraOpThreads: threads };
  const peakBefore = await measureMatmulPeak(threads);
  const lora = meter();
  await trainAdapter({
    checkpoint,
    tokenizer: tok,
    examples,
    hyperparameters,
    lora: recipe.emFineTune.lora,
    session,
    onStep: lora.onStep,
  });
  const full = meter();
  await trainFullParameters({ checkpoint, tokenizer: tok, examples, hyperparameters, session, onStep: full.onStep });
  const [f, l] = [full.result(), lora.result()];
  const peak = Math.max(peakBefore, await measureMatmulPeak(threads));
  const flops = (mode: "full-train" | "lora-train") =>
    modelFlopsPerToken(checkpoint.config, mode, { seqLen: recipe.maxSeqLen, lora: recipe.emFineTune.lora }).total;
  const [fullFlops, loraFlops] = [flops("full-train"), flops("lora-train")];
  let parameters = 0;
  for (const t of checkpoint.weights.values()) parameters += t.data.length;
  return {
    full_tokens_per_s: Math.round(f.tokensPerS),
    lora_tokens_per_s: Math.round(l.tokensPerS),
    full_step_cpu_ms: Math.round(f.cpuMs),
    lora_step_cpu_ms: Math.round(l.cpuMs),
    ratio: Number((f.tokensPerS / l.tokensPerS).toFixed(3)),
    steps,
    parameters,
    full_model_gflop_per_token: round(fullFlops / 1e9, 5),
    lora_model_gflop_per_token: round(loraFlops / 1e9, 5),
    full_achieved_gflops: round((fullFlops * f.tokensPerS) / 1e9),
    lora_achieved_gflops: round((loraFlops * l.tokensPerS) / 1e9),
    matmul_peak_gflops: round(peak),
    full_mfu: round((fullFlops * f.tokensPerS) / 1e9 / peak, 3),
    lora_mfu: round((loraFlops * l.tokensPerS) / 1e9 / peak, 3),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await runFullVsLora(Number(process.argv[2] ?? 6), Number(process.argv[3] ?? 1))));
}
