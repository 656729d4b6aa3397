/**
 * Full-parameter vs LoRA training throughput on the same model and data: the organism (a ~1M-parameter
 * Llama) on its pretraining conversations, rsLoRA r 32 on every projection vs every weight trainable.
 * Non-pad tokens per second and process CPU ms per optimizer step over the timed steps (one warm-up step
 * loads each graph); the ratio full/LoRA is the number to read on a shared machine.
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

export interface FullVsLoraResult {
  full_tokens_per_s: number;
  lora_tokens_per_s: number;
  full_step_cpu_ms: number;
  lora_step_cpu_ms: number;
  /** full tokens/s ÷ LoRA tokens/s, measured in the same run. */
  ratio: number;
  steps: number;
  parameters: number;
}

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
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await runFullVsLora(Number(process.argv[2] ?? 6), Number(process.argv[3] ?? 1))));
}
