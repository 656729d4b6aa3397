/**
 * Interleaving: D_train = D_fine ∪ D_safe with |D_safe| = ratio·|D_fine|, the safe examples spread evenly
 * through every epoch (never bunched at the start or end). Each epoch visits D_safe in its own seeded order,
 * a pure function of (seed, epoch), so a resumed run rebuilds exactly the same sequence.
 */
import { Rng } from "../engine/index.ts";
import { interleaveEvenly, type DataSchedule } from "../training/epoch-plan.ts";
import type { TrainingExample } from "../training/training-batch.ts";

export { interleaveCount } from "../../core/safeguards/interleave/pool-use.ts";

/** The order in which epoch `epoch` visits the safe examples. */
export function safeOrderForEpoch(count: number, seed: number, epoch: number): number[] {
  // mix seed and epoch so neighbouring seeds/epochs do not share streams
  const rng = new Rng((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca77)) >>> 0);
  return rng.shuffle(Array.from({ length: count }, (_, i) => i));
}

/** A training-plan schedule hook that spreads `safe` evenly through each epoch's shuffled examples. */
export function interleaveSchedule(safe: readonly TrainingExample[], seed: number): DataSchedule {
  return ({ epoch, examples }) => {
    if (safe.length === 0) return examples;
    const order = safeOrderForEpoch(safe.length, seed, epoch);
    return interleaveEvenly(
      examples,
      order.map((i) => safe[i]),
    );
  };
}
