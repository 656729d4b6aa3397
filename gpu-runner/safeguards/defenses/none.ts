/** `none`: plain supervised fine-tuning; contributes nothing. */
import type { NoneSafeguard } from "../../../core/safeguards/safeguard-config.ts";
import type { Defense } from "../defense.ts";

export const noneDefense: Defense<NoneSafeguard> = {
  type: "none",
  plan: () => ({ type: "none", summary: "none: plain supervised fine-tuning" }),
};
