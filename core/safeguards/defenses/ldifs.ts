import { z } from "zod";
import { defineSafeguard } from "../safeguard-definition.ts";
import { layerIndex } from "./fields.ts";

/** loss = CE + λ·‖x_θ − x_ref‖² over ℓ2-normalised hidden states of chosen decoder blocks, with gradients. */
export const ldifsSafeguard = defineSafeguard({
  type: "ldifs",
  schema: z.strictObject({
    type: z.literal("ldifs"),
    lambda: z.number().min(0).max(1000).default(1.0),
    /** Decoder block indices (0-based); absent = 5 evenly spaced blocks, floor(linspace(0, L−1, 5)), deduplicated. */
    layers: z
      .array(layerIndex)
      .min(1)
      .max(256)
      .refine((l) => new Set(l).size === l.length, "layers must not repeat")
      .optional(),
    normalize: z.boolean().default(true),
  }),
  title: "add λ·distance between internal features of the model and the original at a few layers",
  defaultsSource:
    "blocks floor(linspace(0, L−1, 5)) and λ = 1: the paper (Kaczér et al., arXiv 2508.06249), whose λ was chosen " +
    "while its implementation gave the term no gradient (docs/safeguards.md)",
});
