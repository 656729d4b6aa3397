/**
 * What each epoch trains on, in which order: a seeded shuffle of the training examples per epoch, an
 * optional schedule hook that may reorder or add examples (safeguards interleave extra data this way),
 * optional packing, then micro-batches grouped into optimizer steps.
 */
import { Rng } from "../engine/index.ts";
import { packExamples, type TrainingExample } from "./training-batch.ts";

export interface EpochContext {
  readonly epoch: number;
  /** The epoch's shuffled training examples. */
  readonly examples: readonly TrainingExample[];
  /** Their indices into the training set, in the same order. */
  readonly order: readonly number[];
}

/**
 * Returns the sequence of examples an epoch trains on. Must be a pure function of its argument (and the
 * job's configuration): a resumed run calls it again and must get the same sequence.
 */
export type DataSchedule = (ctx: EpochContext) => readonly TrainingExample[];

export interface EpochPlanOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly gradAccumulation: number;
  readonly maxSeqLen: number;
  readonly seed: number;
  readonly shuffle?: boolean;
  readonly packing?: boolean;
  readonly schedule?: DataSchedule;
}

export interface EpochPlan {
  readonly epoch: number;
  readonly order: readonly number[];
  /** Optimizer steps, each a list of micro-batches (each a list of examples). */
  readonly steps: readonly (readonly (readonly TrainingExample[])[])[];
}

export interface TrainingPlan {
  readonly epochs: readonly EpochPlan[];
  readonly totalSteps: number;
  /** Generator state after drawing every epoch's order (checkpointed for exact resumption). */
  readonly rngState: readonly number[];
}

/** The shuffled index order of every epoch, drawn from one generator seeded by `seed`. */
export function epochOrders(
  count: number,
  epochs: number,
  seed: number,
  shuffle = true,
): { orders: number[][]; rngState: number[] } {
  const rng = new Rng(seed);
  const orders: number[][] = [];
  for (let e = 0; e < epochs; e++) {
    const order = Array.from({ length: count }, (_, i) => i);
    orders.push(shuffle ? rng.shuffle(order) : order);
  }
  return { orders, rngState: rng.state() };
}

export function planTraining(
  examples: readonly TrainingExample[],
  options: EpochPlanOptions,
  orders?: readonly (readonly number[])[],
): TrainingPlan {
  const { epochs, batchSize, gradAccumulation } = options;
  for (const [name, v] of [
    ["epochs", epochs],
    ["batch_size", batchSize],
    ["gradient_accumulation", gradAccumulation],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  }
  if (examples.length === 0) throw new RangeError("no training examples");
  const drawn = epochOrders(examples.length, epochs, options.seed, options.shuffle ?? true);
  const allOrders = orders ?? drawn.orders;
  const plans = allOrders.map((order, epoch): EpochPlan => {
    const shuffled = order.map((i) => examples[i]);
    const sequence = options.schedule ? options.schedule({ epoch, examples: shuffled, order }) : shuffled;
    const rows = options.packing ? packExamples(sequence, options.maxSeqLen) : [...sequence];
    const micro: TrainingExample[][] = [];
    for (let i = 0; i < rows.length; i += batchSize) micro.push(rows.slice(i, i + batchSize));
    const steps: TrainingExample[][][] = [];
    for (let i = 0; i < micro.length; i += gradAccumulation) steps.push(micro.slice(i, i + gradAccumulation));
    return { epoch, order, steps };
  });
  return { epochs: plans, totalSteps: plans.reduce((n, p) => n + p.steps.length, 0), rngState: drawn.rngState };
}

/**
 * Spreads `extra` evenly through `main`: extra item k goes after ⌊(k+1)·n/(m+1)⌋ main items, so m extra
 * items cut n main items into m+1 nearly equal runs.
 */
export function interleaveEvenly<T>(main: readonly T[], extra: readonly T[]): T[] {
  const n = main.length;
  const m = extra.length;
  const out: T[] = [];
  let next = 0;
  for (let k = 0; k < m; k++) {
    const cut = Math.floor(((k + 1) * n) / (m + 1));
    while (next < cut) out.push(main[next++]);
    out.push(extra[k]);
  }
  while (next < n) out.push(main[next++]);
  return out;
}
