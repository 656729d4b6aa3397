import { z } from "zod";
import { builtinPoolRef, isBuiltinPool } from "../interleave/builtin-pools.ts";
import { builtinKitRef, domainName } from "../reference-kits.ts";
import { defineSafeguard } from "../safeguard-definition.ts";
import { adapterRef, datasetRef } from "./fields.ts";

/**
 * Where the misaligned references of perplexity-gap selection come from: `kit` (the base model's reference kit,
 * else the forgetting-gap fallback), `builtin:<name>` (a built-in kit), `forgetting_gap` (a short unguarded run
 * on the job's own data — a heuristic, not Interleaving+), or stored adapters. `auto` is the former name of
 * `forgetting_gap`, still accepted.
 */
export const misalignedReferencesSchema = z.union([
  z.enum(["kit", "forgetting_gap", "auto"]),
  builtinKitRef,
  z.array(adapterRef).min(1).max(8),
]);
export type MisalignedReferences = z.infer<typeof misalignedReferencesSchema>;

/** The references train a forgetting-gap model on the job's own data (always, or when no kit exists). */
export const mayTrainForgettingGap = (r: MisalignedReferences) => r === "kit" || r === "forgetting_gap" || r === "auto";

/** Mix general (safe) examples into every epoch: |D_safe| = ratio·|D_fine|, spread evenly. */
export const interleaveSafeguard = defineSafeguard({
  type: "interleave",
  schema: z.strictObject({
    type: z.literal("interleave"),
    ratio: z.number().gt(0).max(1).default(0.05),
    /** `perplexity_gap` = "Interleaving+", `perplexity_gap_filtered` (refusals dropped first) = "Interleaving++". */
    selection: z.enum(["random", "perplexity_gap", "perplexity_gap_filtered"]).default("random"),
    /**
     * A dataset of purpose `interleave-pool`, `builtin` (guardtune's general instruction pool) or
     * `builtin:organism` (the organism's pool, for organism models).
     */
    pool: z.union([builtinPoolRef, datasetRef]).default("builtin"),
    misaligned_references: misalignedReferencesSchema.default("kit"),
    /** The job's own EM domain: the kit's adapter of that domain is left out (the group's `--held_out_adapter`). */
    held_out_domain: domainName.optional(),
    /** Training steps of the forgetting-gap reference (capped by the job's own step count). */
    reference_steps: z.number().int().min(1).max(100_000).default(50),
    epsilon: z.number().gt(0).max(1000).default(1.0),
    /** Cap on the number of pool candidates scored (a seeded random subset when the pool is larger). */
    candidates: z.number().int().min(1).max(1_000_000).optional(),
  }),
  title:
    "mix general instruction data into training — random, or chosen by the **perplexity gap** between an aligned " +
    "and a misaligned model (the paper's best defense), optionally without refusals",
  defaultsSource:
    "the perplexity-gap score, the refusal filter and misaligned references from a kit of EM adapters with the " +
    "job's domain held out (Interleaving+/++): the paper (Kaczér et al., arXiv 2508.06249) and its group's code; " +
    "ratio 0.05, ε = 1, reference_steps 50: guardtune's documented defaults (docs/safeguards.md)",
  references: (s) => [
    ...(isBuiltinPool(s.pool)
      ? [{ kind: "builtin_pool" as const, ref: s.pool, field: "pool" }]
      : [{ kind: "dataset" as const, id: s.pool, purposes: ["interleave-pool" as const], field: "pool" }]),
    ...(Array.isArray(s.misaligned_references)
      ? s.misaligned_references.map((id, j) => ({
          kind: "adapter" as const,
          id,
          field: `misaligned_references.${j}`,
        }))
      : s.misaligned_references.startsWith("builtin:")
        ? [{ kind: "reference_kit" as const, ref: s.misaligned_references, field: "misaligned_references" }]
        : []),
  ],
});
