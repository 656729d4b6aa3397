import { z } from "zod";
import { defineSafeguard } from "../safeguard-definition.ts";

/** Plain supervised fine-tuning: the baseline. */
export const noneSafeguard = defineSafeguard({
  type: "none",
  schema: z.strictObject({ type: z.literal("none") }),
  title: "plain supervised fine-tuning (the baseline)",
  defaultsSource: "no parameters",
  standalone: true,
});
