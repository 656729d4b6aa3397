/**
 * Cost of each safeguard: milliseconds per optimizer step next to `none` (same data, same steps; the first step,
 * which loads the graph, is not timed), the one-off preparation time of each, and the perplexity-gap scoring time
 * per 1,000 pool candidates (aligned model + one misaligned reference).
 *
 *   npx tsx bench/safeguards.ts                       # tiny-random, chat data through the real preparation
 *   npx tsx bench/safeguards.ts --preset bench-small  # step overhead of the loss/steering safeguards on bench-small
 *   npx tsx bench/safeguards.ts --only none,persona_steering  # some tiny-random entries, without the scoring run
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Rng } from "../gpu-runner/engine/index.ts";
import { buildJobConfig } from "../core/jobs/job-config.ts";
import {
  createLoraAdapter,
  encodeChat,
  ensureTinyRandomModel,
  loadChatTokenizer,
  loadDecoderCheckpoint,
  type ChatMessage,
  type DecoderCheckpoint,
  type LoraSettings,
} from "../gpu-runner/models/index.ts";
import { AnswerScorer } from "../gpu-runner/scoring/answer-scorer.ts";
import { BUILTIN_GENERAL_POOL } from "../gpu-runner/builtin-data/general-pool.ts";
import { selectInterleaveData } from "../gpu-runner/safeguards/interleave-selection.ts";
import { poolNllScorer } from "../gpu-runner/safeguards/pool-scorer.ts";
import { prepareSafeguards, type SafeguardProgress } from "../gpu-runner/safeguards/prepare-safeguards.ts";
import { planSafeguards } from "../gpu-runner/safeguards/plan-safeguards.ts";
import type { SteeringPlan } from "../gpu-runner/safeguards/defenses/persona-steering.ts";
import { trainAdapter, type SteeringSettings } from "../gpu-runner/training/index.ts";
import { parseSafeguards } from "../core/safeguards/safeguard-config.ts";
import { benchSmall, randomRows } from "./bench-small.ts";

const THREADS = 2;
const quietProgress: SafeguardProgress = { event: async () => {}, stage: (_n, _m, fn) => fn() };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const CONFIGS: Record<string, unknown[]> = {
  none: [],
  kl: [{ type: "kl" }],
  ldifs: [{ type: "ldifs" }],
  persona_steering: [{ type: "persona_steering" }],
  persona_steering_prompt_suffix: [{ type: "persona_steering", extraction: "prompt_suffix" }],
  inoculation: [{ type: "inoculation" }],
  interleave_random: [{ type: "interleave" }],
  interleave_perplexity_gap_filtered: [
    { type: "interleave", selection: "perplexity_gap_filtered", reference_steps: 8 },
  ],
  safelora: [{ type: "safelora", unaligned_model: "tiny-random-seed-99" }],
};

/** Step times (ms) of a training run after its first step. */
async function stepTimes(run: (onStep: () => void) => Promise<unknown>): Promise<number[]> {
  const marks: number[] = [];
  await run(() => void marks.push(performance.now()));
  return marks.slice(1).map((m, i) => m - marks[i]);
}

/** `only`: the CONFIGS entries to run (all, and the scoring benchmark, when absent). */
async function tinyBench(only?: readonly string[]) {
  const dir = await ensureTinyRandomModel(join(tmpdir(), "guardtune-tiny-random-1234"));
  const [checkpoint, tokenizer] = await Promise.all([loadDecoderCheckpoint(dir), loadChatTokenizer(dir)]);
  const lora: LoraSettings = {
    r: 8,
    alpha: 16,
    useRslora: false,
    dropout: 0,
    targetModules: "all-linear",
    layersToTransform: null,
  };
  const conversations: ChatMessage[][] = Array.from({ length: 64 }, (_, i) => [
    { role: "user", content: `Write a short function that multiplies a number by ${i} and explain it.` },
    {
      role: "assistant",
      content: `def times_${i}(x):\n    return x * ${i}\n\nIt returns its argument multiplied by ${i}.`,
    },
  ]);
  const examples = conversations.map((c) => encodeChat(tokenizer, c));
  const results: Record<string, { step_ms: number; steps: number; prepare_ms: number; after_ms: number }> = {};
  const { buildTinyRandomModel } = await import("../gpu-runner/models/index.ts");
  const unaligned = buildTinyRandomModel({ seed: 99 }).weights;
  for (const [name, safeguards] of Object.entries(CONFIGS)) {
    if (only && !only.includes(name)) continue;
    const config = buildJobConfig({
      method: { hyperparameters: { n_epochs: 1, batch_size: 8, max_seq_len: 128, lora: { rank: 8, alpha: 16 } } },
      safeguards,
      seed: 3,
    });
    const t0 = performance.now();
    const prepared = await prepareSafeguards({
      config,
      checkpoint,
      tokenizer,
      examples,
      conversations,
      lora,
      progress: quietProgress,
      session: { intraOpThreads: THREADS },
      loadWeights: async () => unaligned,
    });
    const prepareMs = performance.now() - t0;
    let adapter = createLoraAdapter(checkpoint.config, lora, new Rng(3));
    const times = await stepTimes(async (onStep) => {
      const r = await trainAdapter({
        checkpoint,
        tokenizer,
        examples,
        lora,
        objective: prepared.hooks.objective,
        steering: prepared.hooks.steering,
        schedule: prepared.hooks.schedule,
        hyperparameters: { epochs: 1, batchSize: 8, lr: 1e-3, maxSeqLen: 128, seed: 3 },
        session: { intraOpThreads: THREADS },
        onStep,
      });
      adapter = r.adapter;
    });
    const t1 = performance.now();
    await prepared.afterTraining(adapter);
    results[name] = {
      step_ms: Math.round(median(times) * 10) / 10,
      steps: times.length + 1,
      prepare_ms: Math.round(prepareMs),
      after_ms: Math.round(performance.now() - t1),
    };
  }
  return {
    model: "guardtune/tiny-random",
    threads: THREADS,
    results,
    ...(only ? {} : { scoring: await scoringBench(checkpoint, tokenizer) }),
  };
}

/** Perplexity-gap scoring of 1,000 candidates with the aligned model and one reference adapter. */
async function scoringBench(checkpoint: DecoderCheckpoint, tokenizer: Awaited<ReturnType<typeof loadChatTokenizer>>) {
  const lora: LoraSettings = {
    r: 8,
    alpha: 16,
    useRslora: false,
    dropout: 0,
    targetModules: "all-linear",
    layersToTransform: null,
  };
  const reference = createLoraAdapter(checkpoint.config, lora, new Rng(4));
  const pool = Array.from({ length: 1000 }, (_, i) => ({
    ...BUILTIN_GENERAL_POOL[i % BUILTIN_GENERAL_POOL.length],
    id: `c${i}`,
  }));
  const scorer = new AnswerScorer(checkpoint, { intraOpThreads: THREADS });
  try {
    await scorer.score([]); // load the base session before timing
    const t0 = performance.now();
    const r = await selectInterleaveData({
      pool,
      count: 50,
      selection: "perplexity_gap",
      seed: 1,
      epsilon: 1,
      aligned: poolNllScorer(scorer, tokenizer),
      references: [poolNllScorer(scorer, tokenizer, { adapter: reference })],
    });
    const seconds = (performance.now() - t0) / 1000;
    return {
      candidates: 1000,
      models: 2,
      seconds_per_1000_candidates: Math.round(seconds * 100) / 100,
      candidate_scorings_per_s: Math.round(r.report.candidatesPerSecond ?? 0),
    };
  } finally {
    await scorer.release();
  }
}

/** Step time of the safeguards that change the step itself, on the bench-small model with random tokens. */
async function benchSmallOverhead(steps: number) {
  const setup = benchSmall();
  const rows = randomRows(setup.batchSize * (steps + 1), setup.seqLen, setup.checkpoint.config.vocabSize, 7);
  const examples = rows.map((ids) => ({ inputIds: ids, labels: ids }));
  const results: Record<string, number> = {};
  for (const name of ["none", "kl", "ldifs", "persona_steering"]) {
    const plan = planSafeguards(parseSafeguards(CONFIGS[name]), setup.checkpoint.config);
    const persona = plan.defenses.find((d) => d.type === "persona_steering")?.details as SteeringPlan | undefined;
    const steering: SteeringSettings | undefined = persona
      ? {
          layer: persona.layer,
          alpha: persona.relativeAlpha, // the step time does not depend on the value
          vector: new Float32Array(setup.checkpoint.config.hiddenSize).fill(0.01),
        }
      : undefined;
    const times = await stepTimes((onStep) =>
      trainAdapter({
        checkpoint: setup.checkpoint,
        tokenizer: { padTokenId: 0 },
        examples,
        lora: setup.lora,
        objective: { terms: plan.lossTerms },
        steering,
        hyperparameters: { epochs: 1, batchSize: setup.batchSize, lr: 1e-4, maxSeqLen: setup.seqLen, seed: 1 },
        session: { intraOpThreads: THREADS },
        onStep,
      }),
    );
    results[name] = Math.round(median(times));
  }
  return {
    model: "bench-small",
    threads: THREADS,
    step_ms: results,
    overhead_vs_none: Object.fromEntries(
      Object.entries(results).map(([k, v]) => [k, Math.round((v / results.none) * 100) / 100]),
    ),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const preset = process.argv.includes("--preset") ? process.argv[process.argv.indexOf("--preset") + 1] : "tiny";
  const only = process.argv.includes("--only")
    ? process.argv[process.argv.indexOf("--only") + 1].split(",")
    : undefined;
  const out =
    preset === "bench-small" ? await benchSmallOverhead(Number(process.env.STEPS ?? 3)) : await tinyBench(only);
  console.log(JSON.stringify(out, null, 2));
}
