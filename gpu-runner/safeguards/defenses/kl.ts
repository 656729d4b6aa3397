/** `kl`: loss = CE + λ·KL between the model and the adapter-off model, computed in the training graph. */
import type { KlSafeguard } from "../../../core/safeguards/safeguard-config.ts";
import type { KlTerm } from "../../models/decoder/decoder-losses.ts";
import type { Defense } from "../defense.ts";

export const klDefense: Defense<KlSafeguard> = {
  type: "kl",
  plan(s) {
    const term: KlTerm = { kind: "kl", weight: s.lambda, direction: s.direction, positions: s.positions };
    const divergence = s.direction === "theta_ref" ? "p_θ‖p_ref" : "p_ref‖p_θ";
    return {
      type: "kl",
      lossTerms: [term],
      summary: `kl: loss = CE + ${s.lambda}·KL(${divergence}) over ${s.positions} positions`,
    };
  },
};
