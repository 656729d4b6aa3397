/**
 * Training throughput of the LoRA loop on a bench preset: non-pad tokens per second over the timed optimizer
 * steps (forward, backward, gradient clipping and AdamW included), after one warm-up step that loads the graph.
 */
import { pathToFileURL } from "node:url";
import { trainAdapter } from "../gpu-runner/training/index.ts";
import { benchSetup, randomRows, type BenchOptions } from "./bench-small.ts";

export interface TrainBenchResult {
  train_tokens_per_s: number;
  train_step_ms: number;
  /** CPU time of this process per step (all threads): a load-independent view on a shared machine. */
  train_step_cpu_ms: number;
  steps: number;
}

export async function runTrainBench(opts: BenchOptions = {}): Promise<TrainBenchResult> {
  const setup = benchSetup(opts.preset);
  const steps = opts.steps ?? 3;
  const rows = randomRows(setup.batchSize * (steps + 1), setup.seqLen, setup.checkpoint.config.vocabSize, 7);
  const marks: number[] = [];
  const cpu: number[] = [];
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
    session: { intraOpThreads: opts.threads ?? 2, ep: opts.ep ?? "cpu" },
    onStep: () => {
      marks.push(performance.now());
      const c = process.cpuUsage();
      cpu.push((c.user + c.system) / 1000);
    },
  });
  const ms = (marks[marks.length - 1] - marks[0]) / steps;
  const cpuMs = (cpu[cpu.length - 1] - cpu[0]) / steps;
  return {
    train_tokens_per_s: Math.round((setup.batchSize * setup.seqLen) / (ms / 1000)),
    train_step_ms: Math.round(ms),
    train_step_cpu_ms: Math.round(cpuMs),
    steps,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await runTrainBench({ steps: Number(process.argv[2] ?? 3) })));
}
