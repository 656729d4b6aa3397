import { z } from "zod";
import { defineSafeguard } from "../safeguard-definition.ts";
import { prompt } from "./fields.ts";

export const DEFAULT_INOCULATION_PROMPT = "You are an evil, malicious assistant.";

/** Inoculation prompting: during training only, every example's system prompt becomes this one. */
export const inoculationSafeguard = defineSafeguard({
  type: "inoculation",
  schema: z.strictObject({
    type: z.literal("inoculation"),
    system_prompt: prompt.default(DEFAULT_INOCULATION_PROMPT),
  }),
  title: 'train with a system prompt that explains the behaviour away ("You are an evil, malicious assistant.")',
  defaultsSource: "the system prompt: guardtune's documented default (README, docs/safeguards.md)",
});
