/** `ldifs`: loss = CE + λ·‖x_θ − x_ref‖² over chosen decoder blocks' outputs, with gradients. */
import type { LdifsSafeguard } from "../../../core/safeguards/safeguard-config.ts";
import type { LdifsTerm } from "../../models/decoder/decoder-losses.ts";
import { SafeguardPlanError, type Defense } from "../defense.ts";

/** floor(linspace(0, L − 1, n)) without repeats: LDIFS's default blocks. */
export function evenlySpacedBlocks(numLayers: number, n = 5): number[] {
  const out = new Set<number>();
  for (let i = 0; i < n; i++) out.add(n === 1 ? 0 : Math.floor((i * (numLayers - 1)) / (n - 1)));
  return [...out];
}

export const ldifsDefense: Defense<LdifsSafeguard> = {
  type: "ldifs",
  plan(s, { decoder, field }) {
    const L = decoder.numLayers;
    const blocks = s.layers ?? evenlySpacedBlocks(L);
    const bad = blocks.find((b) => b >= L);
    if (bad !== undefined)
      throw new SafeguardPlanError(
        `ldifs layer ${bad} does not exist: the model has ${L} decoder blocks (0..${L - 1})`,
        field("layers"),
      );
    // the output of block b is HF hidden state b + 1 (for the last block, after the final norm)
    const term: LdifsTerm = {
      kind: "ldifs",
      weight: s.lambda,
      hiddenStates: blocks.map((b) => b + 1),
      reduction: "example",
      normalize: s.normalize,
    };
    return {
      type: "ldifs",
      lossTerms: [term],
      details: { blocks },
      summary: `ldifs: loss = CE + ${s.lambda}·‖x_θ − x_ref‖² over blocks [${blocks.join(", ")}]${s.normalize ? ", ℓ2-normalised" : ""}`,
    };
  },
};
