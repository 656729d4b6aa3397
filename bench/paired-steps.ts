/**
 * Paired comparison of two checkouts' bench-small LoRA training step on a shared machine: both decoder
 * graphs are built in one process (each from its own checkout's code), and their steps
 * (`DecoderSession.lossAndGrads`: CE, LoRA r 16 on all seven projections, the session options training uses)
 * run alternately, A B then B A, the ratio A/B taken pair by pair. The whole comparison runs twice, with the
 * two checkouts created in either order (the session created first runs a few percent slower), and the result
 * is the geometric mean √(r(A, B) / r(B, A)) of the two medians, for wall time and for process CPU time.
 *
 *   npx tsx bench/paired-steps.ts <checkout A> <checkout B> [pairs per order, default 10] [threads, default 2]
 *
 * A checkout is a directory with this repository's layout (e.g. `git worktree add --detach ../before <commit>`
 * with node_modules linked); < 1 means A is faster.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
// the parameters' values are not under comparison: both checkouts start from the same draw, made here
import { randomTrainables } from "./bench-small.ts";

interface Contender {
  readonly step: () => Promise<{ ms: number; cpuMs: number; loss: number }>;
  readonly release: () => Promise<unknown>;
}

async function contender(root: string, threads: number): Promise<Contender> {
  const load = (path: string) => import(pathToFileURL(resolve(root, path)).href);
  const { DecoderSession, decoderBatch } = await load("gpu-runner/models/decoder/index.ts");
  const { benchSetup, randomRows } = await load("bench/bench-small.ts");
  const s = benchSetup("bench-small");
  const session = DecoderSession.create(s.checkpoint.config, {
    weights: s.checkpoint.weights,
    lora: s.lora,
    session: { intraOpThreads: threads, ep: "cpu" },
    reuseGradBuffers: true,
  });
  const rows: number[][] = randomRows(s.batchSize, s.seqLen, s.checkpoint.config.vocabSize, 7);
  const batch = decoderBatch({ inputIds: rows, attentionMask: rows.map((r) => r.map(() => 1)), labels: rows });
  const params = randomTrainables(session.trainableShapes as Map<string, number[]>, 3);
  return {
    step: async () => {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const r = await session.lossAndGrads(batch, params);
      const c = process.cpuUsage(c0);
      return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, loss: r.loss };
    },
    release: () => session.release(),
  };
}

const median = (v: readonly number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Median A/B ratios (wall, CPU) over `pairs` alternating pairs, A's session created first. */
async function pairedRatios(rootA: string, rootB: string, pairs: number, threads: number) {
  const a = await contender(rootA, threads);
  const b = await contender(rootB, threads);
  try {
    const [la, lb] = [await a.step(), await b.step()]; // warm-up: loads each graph
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < pairs; i++) {
      const [first, second] = i % 2 === 0 ? [a, b] : [b, a];
      const [r1, r2] = [await first.step(), await second.step()];
      const [ra, rb] = first === a ? [r1, r2] : [r2, r1];
      wall.push(ra.ms / rb.ms);
      cpu.push(ra.cpuMs / rb.cpuMs);
    }
    return { wall: median(wall), cpu: median(cpu), lossA: la.loss, lossB: lb.loss };
  } finally {
    await a.release();
    await b.release();
  }
}

export async function runPairedSteps(rootA: string, rootB: string, pairs = 10, threads = 2) {
  const ab = await pairedRatios(rootA, rootB, pairs, threads);
  const ba = await pairedRatios(rootB, rootA, pairs, threads);
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    wall_ratio: r3(Math.sqrt(ab.wall / ba.wall)),
    cpu_ratio: r3(Math.sqrt(ab.cpu / ba.cpu)),
    a_first: { wall: r3(ab.wall), cpu: r3(ab.cpu) },
    b_first: { wall: r3(ba.wall), cpu: r3(ba.cpu) },
    pairs_per_order: pairs,
    /** The warm-up step's loss of each graph (same weights and batch: equal when the math is unchanged). */
    loss_a: ab.lossA,
    loss_b: ab.lossB,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [rootA, rootB, pairs, threads] = process.argv.slice(2);
  if (!rootA || !rootB) {
    process.stderr.write("usage: npx tsx bench/paired-steps.ts <checkout A> <checkout B> [pairs] [threads]\n");
    process.exit(2);
  }
  console.log(JSON.stringify(await runPairedSteps(rootA, rootB, Number(pairs ?? 10), Number(threads ?? 2))));
}
