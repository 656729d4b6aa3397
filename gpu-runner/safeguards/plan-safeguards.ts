/**
 * Turns a job's parsed `safeguards` list into what the runner executes, for one model: each entry planned by
 * its defense (`defenses/`), their loss terms and conversation rewrites combined, and the ordered stages the
 * runner reports as events. Model-dependent checks (layer indices) happen here, so a bad index fails before
 * any training.
 */
import type { LossTerm } from "../models/decoder/decoder-losses.ts";
import type { ChatMessage, DecoderConfig } from "../models/index.ts";
import type { PlannedDefense } from "./defense.ts";
import { DEFENSES, type DefenseRegistry } from "./defense-registry.ts";

export { SafeguardPlanError } from "./defense.ts";
export { evenlySpacedBlocks } from "./defenses/ldifs.ts";

/** A list entry: a parsed safeguard of the registry in use. */
export interface SafeguardEntry {
  readonly type: string;
}

export interface SafeguardPlan {
  readonly safeguards: readonly SafeguardEntry[];
  /** One per entry, in the list's order. */
  readonly defenses: readonly PlannedDefense[];
  /** Extra terms of the training objective, in the list's order; CE keeps weight 1. */
  readonly lossTerms: readonly LossTerm[];
  /** Every defense's rewrite of a fine-tuning conversation, in preparation order (identity when none). */
  readonly transformTrainingMessages: (messages: readonly ChatMessage[]) => ChatMessage[];
  /** Whether any defense rewrites the conversations. */
  readonly rewritesMessages: boolean;
  /** What runs, in order (always includes `training`). */
  readonly stages: readonly string[];
  /** One line per defense, for the job's events. */
  readonly summary: readonly string[];
}

export function planSafeguards(
  list: readonly SafeguardEntry[],
  decoder: DecoderConfig,
  registry: DefenseRegistry = DEFENSES,
): SafeguardPlan {
  const defenses = list.map((s, i) => {
    const defense = registry.get(s.type);
    if (!defense) throw new Error(`no runtime for the safeguard type "${s.type}"`);
    return defense.plan(s, { decoder, field: (name) => `safeguards[${i}].${name}` });
  });
  const ordered = inPreparationOrder(defenses, registry);
  const transforms = ordered.flatMap((d) => (d.transformTrainingMessages ? [d.transformTrainingMessages] : []));
  return {
    safeguards: list,
    defenses,
    lossTerms: defenses.flatMap((d) => d.lossTerms ?? []),
    transformTrainingMessages: (m) => transforms.reduce((acc, t) => t(acc), [...m]),
    rewritesMessages: transforms.length > 0,
    stages: [
      ...ordered.flatMap((d) => d.preparationStages ?? []),
      "training",
      ...ordered.flatMap((d) => (d.afterTraining ? [d.afterTraining.stage] : [])),
    ],
    summary: defenses.map((d) => d.summary),
  };
}

/** The planned defenses in the registry's order (the list's order among entries of one type). */
export function inPreparationOrder(defenses: readonly PlannedDefense[], registry: DefenseRegistry): PlannedDefense[] {
  const rank = new Map([...registry.keys()].map((t, i) => [t, i]));
  return [...defenses].sort((a, b) => rank.get(a.type)! - rank.get(b.type)!);
}
