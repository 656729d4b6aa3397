/**
 * The optimisation loop, independent of how gradients are computed: walks the training plan step by step,
 * accumulates micro-batch gradients weighted by supervised tokens (so accumulation equals one big batch),
 * clips, applies AdamW with the linear warm-up/decay schedule, reports, checkpoints and stops at step
 * boundaries when asked.
 */
import { AdamW, Rng, clipGradNorm, linearScheduleLr } from "../engine/index.ts";
import { f32Tensor, type F32Tensor } from "../models/index.ts";
import type { TrainingCheckpoint } from "./checkpoint-state.ts";
import type { TrainingPlan } from "./epoch-plan.ts";
import { collateBatch, type PaddedBatch } from "./training-batch.ts";

export interface MicroBatchResult {
  /** The objective, with its cross-entropy a mean over the micro-batch's supervised tokens. */
  readonly loss: number;
  /** Gradient of every trainable tensor, by the adapter's names (read before the next call). */
  readonly grads: Readonly<Record<string, Float32Array>>;
  /** Named parts of the objective (ce, kl_theta_ref, ldifs…), reported per step. */
  readonly terms?: Readonly<Record<string, number>>;
}

/**
 * Computes a micro-batch's loss and gradients. `rng` is a checkpointed generator for whatever the source
 * draws at random (dropout masks), so a resumed run draws the same values.
 */
export interface GradientSource {
  lossAndGrads(batch: PaddedBatch, params: Readonly<Record<string, Float32Array>>, rng: Rng): Promise<MicroBatchResult>;
}

export interface StepReport {
  /** 1-based number of the optimizer step just completed. */
  readonly step: number;
  readonly totalSteps: number;
  readonly epoch: number;
  readonly loss: number;
  /** The step's named loss parts, token-weighted over its micro-batches. */
  readonly terms: Readonly<Record<string, number>>;
  readonly lr: number;
  /** Global gradient norm before clipping (NaN when clipping is off). */
  readonly gradNorm: number;
  /** Non-pad tokens per second since this process started training (resumed steps excluded). */
  readonly tokensPerSecond: number;
  /** Training time including earlier attempts of a resumed run. */
  readonly elapsedMs: number;
  readonly trainedTokens: number;
}

export interface OptimizerSettings {
  readonly lr: number;
  readonly warmupSteps: number;
  readonly weightDecay: number;
  readonly betas?: readonly [number, number];
  readonly eps?: number;
  /** Global gradient-norm clip (transformers' default 1.0); null disables it. */
  readonly maxGradNorm?: number | null;
}

export interface LoopOptions {
  readonly plan: TrainingPlan;
  readonly padTokenId: number;
  readonly optimizer: OptimizerSettings;
  readonly fingerprint: string;
  readonly onStep?: (report: StepReport) => void | Promise<void>;
  /** Checked before every step; true ends training at that boundary with a checkpoint in the result. */
  readonly shouldStop?: () => boolean;
  readonly checkpointEvery?: number;
  readonly saveCheckpoint?: (state: TrainingCheckpoint) => void | Promise<void>;
  readonly resumeFrom?: TrainingCheckpoint;
  /** Seed of the generator handed to the gradient source (dropout masks). */
  readonly sourceSeed: number;
}

export interface LoopResult {
  readonly adapter: Map<string, F32Tensor>;
  readonly losses: readonly number[];
  readonly trainedTokens: number;
  readonly stepsDone: number;
  /** True when `shouldStop` ended the run early. */
  readonly stopped: boolean;
  /** The state at the end (resume from it after a stop). */
  readonly checkpoint: TrainingCheckpoint;
}

/** Copies `src` into tensors shaped like `shapes` (snapshots must not alias the live parameters). */
const mapOf = (src: Readonly<Record<string, Float32Array>>, shapes: ReadonlyMap<string, F32Tensor>) =>
  new Map(
    [...shapes].map(([name, t]) => [
      name,
      f32Tensor(t.shape, src[name] ? Float32Array.from(src[name]) : new Float32Array(t.data.length)),
    ]),
  );

export async function runTrainingLoop(
  source: GradientSource,
  initial: ReadonlyMap<string, F32Tensor>,
  options: LoopOptions,
): Promise<LoopResult> {
  const { plan, optimizer: o } = options;
  const resume = options.resumeFrom;
  if (resume && resume.fingerprint !== options.fingerprint) {
    throw new Error("the checkpoint was written by a run with different data or hyperparameters; it cannot be resumed");
  }
  const start = resume?.adapter ?? initial;
  const adapter = new Map([...start].map(([name, t]) => [name, f32Tensor(t.shape, Float32Array.from(t.data))]));
  const params = Object.fromEntries([...adapter].map(([name, t]) => [name, t.data]));
  const adamw = new AdamW({
    lr: o.lr,
    weightDecay: o.weightDecay,
    ...(o.betas ? { betas: o.betas } : {}),
    ...(o.eps !== undefined ? { eps: o.eps } : {}),
  });
  if (resume) {
    const rec = (m: ReadonlyMap<string, F32Tensor>) => Object.fromEntries([...m].map(([k, t]) => [k, t.data]));
    adamw.loadState({ step: resume.optimizer.step, m: rec(resume.optimizer.m), v: rec(resume.optimizer.v) });
  }
  const sourceRng = new Rng(resume ? [...resume.sourceRngState] : options.sourceSeed);
  const losses = [...(resume?.losses ?? [])];
  let trainedTokens = resume?.trainedTokens ?? 0;
  const priorMs = resume?.elapsedMs ?? 0;
  const t0 = performance.now();
  let tokensThisRun = 0;
  const steps = plan.epochs.flatMap((e) => e.steps.map((micro) => ({ epoch: e.epoch, micro })));
  const schedule = { baseLr: o.lr, warmupSteps: o.warmupSteps, totalSteps: plan.totalSteps };

  const snapshot = (step: number): TrainingCheckpoint => {
    const s = adamw.state();
    return {
      step,
      totalSteps: plan.totalSteps,
      adapter: mapOf(params, adapter),
      optimizer: { step: s.step, m: mapOf(s.m, adapter), v: mapOf(s.v, adapter) },
      epochOrders: plan.epochs.map((e) => e.order),
      rngState: plan.rngState,
      sourceRngState: sourceRng.state(),
      losses: [...losses],
      trainedTokens,
      elapsedMs: priorMs + (performance.now() - t0),
      fingerprint: options.fingerprint,
    };
  };

  let step = resume?.step ?? 0;
  while (step < steps.length) {
    if (options.shouldStop?.())
      return { adapter, losses, trainedTokens, stepsDone: step, stopped: true, checkpoint: snapshot(step) };
    const { epoch, micro } = steps[step];
    const batches = micro.map((examples) => collateBatch(examples, { padTokenId: options.padTokenId }));
    const supervised = batches.reduce((n, b) => n + b.supervisedTokens, 0);
    const grads: Record<string, Float32Array> = Object.fromEntries(
      [...adapter].map(([k, t]) => [k, new Float32Array(t.data.length)]),
    );
    let loss = 0;
    const terms: Record<string, number> = {};
    for (const batch of batches) {
      // the step's loss is the mean over all its supervised tokens: weight each micro-batch by its share
      const w = supervised > 0 ? batch.supervisedTokens / supervised : 1 / batches.length;
      if (w === 0) continue;
      const r = await source.lossAndGrads(batch, params, sourceRng);
      loss += w * r.loss;
      for (const [k, v] of Object.entries(r.terms ?? {})) terms[k] = (terms[k] ?? 0) + w * v;
      const wf = Math.fround(w);
      for (const [name, acc] of Object.entries(grads)) {
        const g = r.grads[name];
        if (g === undefined) throw new Error(`the loss graph returned no gradient for '${name}'`);
        if (batches.length === 1) acc.set(g);
        else for (let i = 0; i < acc.length; i++) acc[i] += wf * g[i];
      }
      tokensThisRun += batch.tokens;
      trainedTokens += batch.tokens;
    }
    const gradNorm = o.maxGradNorm === null ? Number.NaN : clipGradNorm(Object.values(grads), o.maxGradNorm ?? 1);
    const lr = linearScheduleLr(schedule, step);
    adamw.step(params, grads, lr);
    losses.push(loss);
    step++;
    const elapsedThisRun = performance.now() - t0;
    await options.onStep?.({
      step,
      totalSteps: plan.totalSteps,
      epoch,
      loss,
      terms,
      lr,
      gradNorm,
      trainedTokens,
      tokensPerSecond: tokensThisRun / Math.max(elapsedThisRun / 1000, 1e-9),
      elapsedMs: priorMs + elapsedThisRun,
    });
    if (
      options.checkpointEvery &&
      options.saveCheckpoint &&
      step % options.checkpointEvery === 0 &&
      step < steps.length
    ) {
      await options.saveCheckpoint(snapshot(step));
    }
  }
  return {
    adapter: mapOf(params, adapter),
    losses,
    trainedTokens,
    stepsDone: step,
    stopped: false,
    checkpoint: snapshot(step),
  };
}
