/** `inoculation`: during training only, every fine-tuning example gets the inoculation system prompt. */
import type { InoculationSafeguard } from "../../../core/safeguards/safeguard-config.ts";
import type { Defense } from "../defense.ts";
import { inoculate } from "../inoculation.ts";

export const inoculationDefense: Defense<InoculationSafeguard> = {
  type: "inoculation",
  plan(s) {
    return {
      type: "inoculation",
      summary: `inoculation: training examples get the system prompt ${JSON.stringify(s.system_prompt)}`,
      transformTrainingMessages: (m) => inoculate(m, s.system_prompt),
      prepare: async (ctx) => ({ report: { system_prompt: s.system_prompt, examples: ctx.examples.length } }),
    };
  },
};
