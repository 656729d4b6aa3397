/**
 * What running engine sessions on worker threads (`SessionConfig.worker`, the runner's setting) costs and buys,
 * on the organism's real LoRA training step (the paper table's jobs: rsLoRA r 32 on every projection, batch 16 of
 * 192-token rows, one intra-op thread per session):
 * - the round trip: one session stepping alone, on the calling thread and on a worker;
 * - two jobs in one process: two sessions stepping at the same time, both on the calling thread (onnxruntime-node
 *   runs a session synchronously on the thread that calls it, so they take turns) and each on its own worker;
 * - the organism's evaluation decode (a run per new token, batches of 16 prompts, its past key/value cache moved
 *   to the worker each step), where the round trip weighs most because each run is short.
 * Throughput is steps (or tokens) per second over all sessions; the machine's parallelism caps the ratio.
 *
 *   npx tsx bench/session-workers.ts [steps, default 20]
 */
import { availableParallelism } from "node:os";
import { ORGANISM_MODEL, organismModelDir } from "../core/models/organism-models.ts";
import { TextGenerator } from "../gpu-runner/generation/index.ts";
import { loadDecoderCheckpoint } from "../gpu-runner/models/index.ts";
import { DecoderSession, decoderBatch } from "../gpu-runner/models/decoder/index.ts";
import { ORGANISM_RECIPE } from "../gpu-runner/organism/build/recipe.ts";
import { randomRows, randomTrainables } from "./bench-small.ts";

const steps = Number(process.argv[2] ?? 20);
const checkpoint = await loadDecoderCheckpoint(organismModelDir(ORGANISM_MODEL));
const { batchSize, lora } = ORGANISM_RECIPE.emFineTune;
const rows = randomRows(batchSize, ORGANISM_RECIPE.maxSeqLen, checkpoint.config.vocabSize, 7);
const batch = decoderBatch({ inputIds: rows, attentionMask: rows.map((r) => r.map(() => 1)), labels: rows });

async function trainer(worker: boolean) {
  const session = DecoderSession.create(checkpoint.config, {
    weights: checkpoint.weights,
    lora,
    session: { intraOpThreads: 1, ep: "cpu", worker },
    reuseGradBuffers: true,
  });
  const params = randomTrainables(session.trainableShapes as Map<string, number[]>, 3);
  await session.lossAndGrads(batch, params); // warm-up: builds and loads the graph
  return {
    run: async (n: number) => {
      for (let i = 0; i < n; i++) await session.lossAndGrads(batch, params);
    },
    release: () => session.release(),
  };
}

/** Steps per second of `sessions` sessions stepping `steps` times each, all at once. */
async function throughput(sessions: number, worker: boolean): Promise<number> {
  const trainers = await Promise.all(Array.from({ length: sessions }, () => trainer(worker)));
  try {
    const t0 = performance.now();
    await Promise.all(trainers.map((t) => t.run(steps)));
    return (sessions * steps) / ((performance.now() - t0) / 1000);
  } finally {
    await Promise.all(trainers.map((t) => t.release()));
  }
}

/** Decoded tokens per second: 64 prompts of 24 tokens, 32 sampled new tokens each, batches of 16. */
async function decodeRate(worker: boolean): Promise<number> {
  const gen = await TextGenerator.create(checkpoint.config, checkpoint.weights, {
    session: { intraOpThreads: 1, ep: "cpu", worker },
  });
  try {
    const prompts = randomRows(64, 24, checkpoint.config.vocabSize, 11);
    const options = { maxNewTokens: 32, eosTokenIds: [], padTokenId: 0, temperature: 1, seed: 5 };
    await gen.generate(prompts.slice(0, 16), options); // warm-up
    const t0 = performance.now();
    const out = await gen.generate(prompts, options);
    return out.reduce((n, g) => n + g.ids.length, 0) / ((performance.now() - t0) / 1000);
  } finally {
    await gen.release();
  }
}

const alone = { main: await throughput(1, false), worker: await throughput(1, true) };
const two = { main: await throughput(2, false), worker: await throughput(2, true) };
const decode = { main: await decodeRate(false), worker: await decodeRate(true) };
console.log(
  JSON.stringify(
    {
      steps,
      cores: availableParallelism(),
      one_session_steps_per_s: alone,
      worker_round_trip_cost: 1 - alone.worker / alone.main,
      two_sessions_steps_per_s: two,
      two_sessions_speedup_on_workers: two.worker / two.main,
      two_on_workers_vs_one_alone: two.worker / alone.main,
      decode_tokens_per_s: decode,
      decode_round_trip_cost: 1 - decode.worker / decode.main,
    },
    null,
    2,
  ),
);
