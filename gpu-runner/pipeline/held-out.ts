import { heldOutCount } from "../../core/jobs/held-out-count.ts";
import type { JobConfig } from "../../core/jobs/job-config.ts";
import { Rng } from "../engine/index.ts";

/**
 * Which training examples are held out for the in-domain evaluation when the job has no validation
 * dataset: `holdout_fraction` of them (at most `max_examples`), drawn by the job's seed, so every attempt
 * of the job holds out the same ones. None when in-domain evaluation is off or a validation set exists.
 */
export function heldOutIndices(config: JobConfig, count: number, hasValidationSet: boolean): Set<number> {
  const n = heldOutCount(config, count, hasValidationSet);
  if (n === 0) return new Set();
  const order = new Rng((config.seed ^ 0x2545f491) >>> 0).shuffle(Array.from({ length: count }, (_, i) => i));
  return new Set(order.slice(0, n));
}
