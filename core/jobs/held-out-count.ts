import type { JobConfig } from "./job-config.ts";

/**
 * How many training examples the in-domain evaluation holds out when the job has no validation dataset:
 * min(floor(holdout_fraction·n), max_examples), none when that would leave nothing to train on. The runner
 * picks which ones; the API uses the count to know how many examples a job will train on.
 */
export function heldOutCount(config: Pick<JobConfig, "evaluation">, count: number, hasValidationSet: boolean): number {
  const inDomain = config.evaluation.in_domain;
  if (inDomain === false || hasValidationSet) return 0;
  const n = Math.min(inDomain.max_examples, Math.floor(count * inDomain.holdout_fraction));
  // Never hold out so much that nothing is left to train on.
  return n === 0 || count - n < 1 ? 0 : n;
}
