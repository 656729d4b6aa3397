import { z } from "zod";
import { defineSafeguard } from "../safeguard-definition.ts";

/** loss = CE + λ·KL against the adapter-off model (the base before fine-tuning; no extra weights). */
export const klSafeguard = defineSafeguard({
  type: "kl",
  schema: z.strictObject({
    type: z.literal("kl"),
    lambda: z.number().min(0).max(1000).default(0.1),
    /** `theta_ref` = KL(p_θ‖p_ref) (the paper's choice); `ref_theta` = KL(p_ref‖p_θ). */
    direction: z.enum(["theta_ref", "ref_theta"]).default("theta_ref"),
    /** `all_non_pad` matches the paper's code (prompt and answer tokens); `supervised` = answer tokens only. */
    positions: z.enum(["all_non_pad", "supervised"]).default("all_non_pad"),
  }),
  title: "add λ·KL between the model and the model before fine-tuning (the adapter switched off)",
  defaultsSource:
    "direction KL(p_θ‖p_ref): the paper's text; positions all_non_pad: the group's public code; λ = 0.1: " +
    "guardtune's documented default (docs/safeguards.md)",
  // both directions together give a symmetric, Jeffreys-style term
  uniqueness: (s) => ({ key: `kl:${s.direction}`, label: `kl with direction "${s.direction}"` }),
});
