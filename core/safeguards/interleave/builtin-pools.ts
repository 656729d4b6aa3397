import { z } from "zod";
import { isOrganismModel } from "../../models/organism-models.ts";

/**
 * The interleave pools guardtune ships, by the name a job writes in `safeguards[i].pool`:
 * - `builtin`: a small general instruction pool in English (any model; enough for random interleaving, too
 *   small for a meaningful perplexity-gap ranking — the pool-use rule warns);
 * - `builtin:organism`: the model organism's general instruction pool (20,000 helpful answers and refusals over
 *   every topic of its world, `models/organism/pool.jsonl`), for organism models only.
 * Sizes are kept in step with the data by tests (gpu-runner/builtin-data/builtin-data.test.ts,
 * models/organism's manifest test).
 */
export const builtinPoolRef = z.enum(["builtin", "builtin:organism"]);
export type BuiltinPoolRef = z.infer<typeof builtinPoolRef>;

export interface BuiltinPool {
  readonly items: number;
  /** Items the refusal filter of Interleaving++ drops. */
  readonly refusals: number;
  readonly description: string;
  /** The models the pool's text fits (null: any model). */
  readonly fits: ((model: string) => boolean) | null;
  /** Said when the pool does not fit the job's model. */
  readonly fitsWhat?: string;
}

export const BUILTIN_POOLS: Readonly<Record<BuiltinPoolRef, BuiltinPool>> = {
  builtin: { items: 124, refusals: 9, description: "the built-in general pool", fits: null },
  "builtin:organism": {
    items: 20_000,
    refusals: 2_082,
    description: "the organism's general pool",
    fits: isOrganismModel,
    fitsWhat: "guardtune/organism and guardtune/organism-unaligned (its text is the organism world's)",
  },
};

export const isBuiltinPool = (pool: string): pool is BuiltinPoolRef => builtinPoolRef.safeParse(pool).success;
