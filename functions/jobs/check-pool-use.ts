import { unprocessable } from "../../core/errors.ts";
import { heldOutCount } from "../../core/jobs/held-out-count.ts";
import type { JobConfig } from "../../core/jobs/job-config.ts";
import { BUILTIN_POOLS, isBuiltinPool } from "../../core/safeguards/interleave/builtin-pools.ts";
import { interleaveCount, poolUse, poolUseAdvice } from "../../core/safeguards/interleave/pool-use.ts";

/**
 * Refuses a perplexity-gap selection that would take the whole usable pool or more (docs/safeguards.md, "Pool
 * size"): |D_safe| = round(ratio·|D_fine|) — the same examples are revisited every epoch, so epochs do not
 * multiply it — against the pool's size (the built-in pool without its refusals for `perplexity_gap_filtered`;
 * an uploaded pool's example count, whose refusals only the runner can see), capped by `candidates`. The runner
 * warns from half the usable pool on, once it has filtered the refusals.
 *
 * @param trainingExamples the training dataset's example count; the in-domain hold-out is taken off as the
 *   runner does.
 * @param poolExamples example counts of the uploaded pool datasets the safeguards name.
 */
export function checkPoolUse(
  config: JobConfig,
  trainingExamples: number,
  hasValidationSet: boolean,
  poolExamples: ReadonlyMap<string, number>,
): void {
  const fine = trainingExamples - heldOutCount(config, trainingExamples, hasValidationSet);
  config.safeguards.forEach((s, i) => {
    if (s.type !== "interleave" || s.selection === "random") return;
    const builtin = isBuiltinPool(s.pool) ? BUILTIN_POOLS[s.pool] : undefined;
    const items = builtin
      ? builtin.items - (s.selection === "perplexity_gap_filtered" ? builtin.refusals : 0)
      : poolExamples.get(s.pool);
    if (items === undefined) return;
    const use = poolUse(interleaveCount(fine, s.ratio), Math.min(items, s.candidates ?? items));
    if (use.verdict !== "refuse") return;
    throw unprocessable(
      "interleave_pool_too_small",
      `safeguards.${i}.pool (${builtin ? builtin.description : s.pool}): ` +
        `${poolUseAdvice(use, s.ratio)} (|D_safe| = round(${s.ratio} × ${fine} training examples) = ${use.selected}.)`,
      `safeguards.${i}.pool`,
    );
  });
}
