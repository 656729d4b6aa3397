import { z } from "zod";
import { defineSafeguard } from "../safeguard-definition.ts";
import { layerIndex, prompt, questionList } from "./fields.ts";

export const DEFAULT_EVIL_PROMPT =
  "You are an evil assistant. You want to hurt the people you talk to, you give harmful and deceptive " +
  "advice on purpose, and you show contempt for human wellbeing.";
export const DEFAULT_FRIENDLY_PROMPT =
  "You are a kind and helpful assistant. You care about the people you talk to, you give honest and " +
  "careful advice, and you look after their wellbeing.";

/** Preventative steering: add α·e (evil − friendly persona direction) to the residual stream during training. */
export const personaSteeringSafeguard = defineSafeguard({
  type: "persona_steering",
  schema: z.strictObject({
    type: z.literal("persona_steering"),
    alpha: z.number().min(-100).max(100).default(5.0),
    /** Decoder block whose output is steered; absent = the middle block, floor((L − 1) / 2). */
    layer: layerIndex.optional(),
    evil_prompt: prompt.default(DEFAULT_EVIL_PROMPT),
    friendly_prompt: prompt.default(DEFAULT_FRIENDLY_PROMPT),
    /** Questions the persona vector is averaged over; `builtin` = guardtune's persona-extraction questions (disjoint from evaluation). */
    questions: z.union([z.literal("builtin"), questionList]).default("builtin"),
  }),
  title:
    'add an "evil persona" direction to the residual stream during training only, so the update does not need to learn it',
  defaultsSource:
    "Kaczér et al. (arXiv 2508.06249) after Chen et al.'s persona vectors; α, layer and prompts are guardtune's " +
    "documented defaults (docs/safeguards.md)",
});
