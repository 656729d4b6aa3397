import { z } from "zod";
import { defineSafeguard } from "../safeguard-definition.ts";
import { modelRef } from "./fields.ts";

/** Post-hoc SafeLoRA projection of the adapter onto the alignment subspace V = W_aligned − W_unaligned. */
export const safeloraSafeguard = defineSafeguard({
  type: "safelora",
  schema: z.strictObject({
    type: z.literal("safelora"),
    /** `threshold`: project weights whose cos(CΔW, ΔW) < threshold; `top_k`: project the k least similar. */
    mode: z.enum(["threshold", "top_k"]).default("threshold"),
    threshold: z.number().min(-1).max(1).default(0.5),
    top_k: z.number().int().min(1).max(10_000).default(10),
    /** The aligned (chat/instruct) model; absent = the job's own base model. */
    aligned_model: modelRef.optional(),
    /** The unaligned (pre-trained, pre-alignment) model with the same architecture. */
    unaligned_model: modelRef,
  }),
  title: 'after training, project each LoRA update onto the "alignment subspace" where it disagrees with it',
  defaultsSource:
    "projection C = V Vᵀ / ‖V‖_F and the cosine rule: the SafeLoRA paper; τ = 0.5, k = 10: guardtune's " +
    "documented defaults (docs/safeguards.md)",
  references: (s) => [
    { kind: "model", ref: s.unaligned_model, field: "unaligned_model" },
    ...(s.aligned_model ? [{ kind: "model" as const, ref: s.aligned_model, field: "aligned_model" }] : []),
  ],
});
