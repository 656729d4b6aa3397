import { z } from "zod";
import { defineSafeguard } from "../safeguard-definition.ts";
import { adapterRef, datasetRef } from "./fields.ts";

/** Mix general (safe) examples into every epoch: |D_safe| = ratio·|D_fine|, spread evenly. */
export const interleaveSafeguard = defineSafeguard({
  type: "interleave",
  schema: z.strictObject({
    type: z.literal("interleave"),
    ratio: z.number().gt(0).max(1).default(0.05),
    /** `perplexity_gap` = "Interleaving+", `perplexity_gap_filtered` (refusals dropped first) = "Interleaving++". */
    selection: z.enum(["random", "perplexity_gap", "perplexity_gap_filtered"]).default("random"),
    /** A dataset of purpose `interleave-pool`, or `builtin` for guardtune's general instruction pool. */
    pool: z.union([z.literal("builtin"), datasetRef]).default("builtin"),
    /** `auto` = a short unguarded LoRA fine-tune on the job's own data; or stored adapters (an ensemble). */
    misaligned_references: z.union([z.literal("auto"), z.array(adapterRef).min(1).max(8)]).default("auto"),
    /** Training steps of the `auto` misaligned reference (capped by the job's own step count). */
    reference_steps: z.number().int().min(1).max(100_000).default(50),
    epsilon: z.number().gt(0).max(1000).default(1.0),
    /** Cap on the number of pool candidates scored (a seeded random subset when the pool is larger). */
    candidates: z.number().int().min(1).max(1_000_000).optional(),
  }),
  title:
    "mix general instruction data into training — random, or chosen by the **perplexity gap** between an aligned " +
    "and a misaligned model (the paper's best defense), optionally without refusals",
  defaultsSource:
    "the perplexity-gap score and the refusal filter (Interleaving+/++): the paper (Kaczér et al., arXiv " +
    "2508.06249); ratio 0.05, ε = 1, reference_steps 50: guardtune's documented defaults (docs/safeguards.md)",
  references: (s) => [
    ...(s.pool === "builtin"
      ? []
      : [{ kind: "dataset" as const, id: s.pool, purposes: ["interleave-pool" as const], field: "pool" }]),
    ...(s.misaligned_references === "auto"
      ? []
      : s.misaligned_references.map((id, j) => ({
          kind: "adapter" as const,
          id,
          field: `misaligned_references.${j}`,
        }))),
  ],
});
