/**
 * Turns a job's parsed `safeguards` list into what the runner executes, for one model: extra loss terms for
 * the training objective (KL, LDIFS), a transform of the fine-tuning conversations (inoculation), the
 * persona-steering settings, the interleave data plan, and the post-hoc SafeLoRA step, plus the ordered
 * preparation stages the runner reports as events. Model-dependent checks (layer indices) happen here, so a
 * bad index fails before any training.
 */
import type { Safeguard, SafeloraSafeguard } from "../../core/safeguards/safeguard-config.ts";
import { BUILTIN_PERSONA_QUESTIONS } from "../builtin-data/persona-questions.ts";
import type { KlTerm, LdifsTerm, LossTerm } from "../models/decoder/decoder-losses.ts";
import type { ChatMessage, DecoderConfig } from "../models/index.ts";
import { inoculate } from "./inoculation.ts";
import { interleaveCount } from "./interleave-schedule.ts";
import type { InterleaveSelection } from "./interleave-selection.ts";
import { checkPersonaLayer, defaultPersonaLayer } from "./persona-vector.ts";

/** A safeguard setting that does not fit the model (e.g. a layer index past its depth). */
export class SafeguardPlanError extends Error {
  constructor(
    message: string,
    /** JSON path in the job, e.g. `safeguards[1].layers`. */
    readonly param: string,
  ) {
    super(message);
    this.name = "SafeguardPlanError";
  }
}

export interface SteeringPlan {
  readonly layer: number;
  readonly alpha: number;
  readonly evilPrompt: string;
  readonly friendlyPrompt: string;
  readonly questions: readonly string[];
}

export interface InterleavePlan {
  readonly ratio: number;
  readonly selection: InterleaveSelection;
  /** `builtin` or a dataset id of purpose `interleave-pool`. */
  readonly pool: string;
  readonly misalignedReferences: "auto" | readonly string[];
  readonly referenceSteps: number;
  readonly epsilon: number;
  readonly candidates?: number;
  /** |D_safe| for a given |D_fine|. */
  readonly count: (fineCount: number) => number;
}

export interface SafeloraPlan {
  readonly mode: "threshold" | "top_k";
  readonly threshold: number;
  readonly topK: number;
  /** null = the job's own base model. */
  readonly alignedModel: string | null;
  readonly unalignedModel: string;
}

export type SafeguardStage =
  "misaligned_reference" | "interleave_selection" | "persona_vector" | "training" | "safelora";

export interface SafeguardPlan {
  readonly safeguards: readonly Safeguard[];
  /** Extra terms of the training objective (the decoder loss graph's `LossSpec.terms`); CE keeps weight 1. */
  readonly lossTerms: readonly LossTerm[];
  /** Applied to every fine-tuning conversation before tokenisation, during training only. */
  readonly transformTrainingMessages: (messages: readonly ChatMessage[]) => ChatMessage[];
  readonly inoculationPrompt: string | null;
  readonly steering: SteeringPlan | null;
  readonly interleave: InterleavePlan | null;
  readonly safelora: SafeloraPlan | null;
  /** What runs, in order (always includes `training`). */
  readonly stages: readonly SafeguardStage[];
  /** One line per defense, for the job's events. */
  readonly summary: readonly string[];
}

/** floor(linspace(0, L − 1, n)) without repeats: LDIFS's default blocks. */
export function evenlySpacedBlocks(numLayers: number, n = 5): number[] {
  const out = new Set<number>();
  for (let i = 0; i < n; i++) out.add(n === 1 ? 0 : Math.floor((i * (numLayers - 1)) / (n - 1)));
  return [...out];
}

export function planSafeguards(list: readonly Safeguard[], config: DecoderConfig): SafeguardPlan {
  const L = config.numLayers;
  const lossTerms: LossTerm[] = [];
  const summary: string[] = [];
  let inoculationPrompt: string | null = null;
  let steering: SteeringPlan | null = null;
  let interleave: InterleavePlan | null = null;
  let safelora: SafeloraPlan | null = null;

  list.forEach((s, i) => {
    const at = (field: string) => `safeguards[${i}].${field}`;
    switch (s.type) {
      case "none":
        summary.push("none: plain supervised fine-tuning");
        break;
      case "kl": {
        const term: KlTerm = { kind: "kl", weight: s.lambda, direction: s.direction, positions: s.positions };
        lossTerms.push(term);
        summary.push(
          `kl: loss = CE + ${s.lambda}·KL(${s.direction === "theta_ref" ? "p_θ‖p_ref" : "p_ref‖p_θ"}) over ${s.positions} positions`,
        );
        break;
      }
      case "ldifs": {
        const blocks = s.layers ?? evenlySpacedBlocks(L);
        const bad = blocks.find((b) => b >= L);
        if (bad !== undefined)
          throw new SafeguardPlanError(
            `ldifs layer ${bad} does not exist: the model has ${L} decoder blocks (0..${L - 1})`,
            at("layers"),
          );
        // the output of block b is HF hidden state b + 1 (for the last block, after the final norm)
        const term: LdifsTerm = {
          kind: "ldifs",
          weight: s.lambda,
          hiddenStates: blocks.map((b) => b + 1),
          reduction: "example",
          normalize: s.normalize,
        };
        lossTerms.push(term);
        summary.push(
          `ldifs: loss = CE + ${s.lambda}·‖x_θ − x_ref‖² over blocks [${blocks.join(", ")}]${s.normalize ? ", ℓ2-normalised" : ""}`,
        );
        break;
      }
      case "safelora":
        safelora = safeloraPlan(s);
        summary.push(
          `safelora: after training, project weights whose update has ${s.mode === "threshold" ? `cos < ${s.threshold}` : `one of the ${s.top_k} lowest cosines`} ` +
            `onto the alignment subspace (${s.aligned_model ?? "base model"} − ${s.unaligned_model})`,
        );
        break;
      case "persona_steering": {
        const layer = s.layer ?? defaultPersonaLayer(L);
        try {
          checkPersonaLayer(layer, L);
        } catch (e) {
          throw new SafeguardPlanError((e as Error).message, at("layer"));
        }
        const questions = s.questions === "builtin" ? BUILTIN_PERSONA_QUESTIONS : s.questions;
        steering = { layer, alpha: s.alpha, evilPrompt: s.evil_prompt, friendlyPrompt: s.friendly_prompt, questions };
        summary.push(
          `persona_steering: add ${s.alpha}·e (evil − friendly persona, ${questions.length} questions) to block ${layer} during training`,
        );
        break;
      }
      case "inoculation":
        inoculationPrompt = s.system_prompt;
        summary.push(`inoculation: training examples get the system prompt ${JSON.stringify(s.system_prompt)}`);
        break;
      case "interleave":
        interleave = {
          ratio: s.ratio,
          selection: s.selection,
          pool: s.pool,
          misalignedReferences: s.misaligned_references,
          referenceSteps: s.reference_steps,
          epsilon: s.epsilon,
          ...(s.candidates !== undefined ? { candidates: s.candidates } : {}),
          count: (n) => interleaveCount(n, s.ratio),
        };
        summary.push(
          `interleave: ${s.ratio * 100}% extra examples from the ${s.pool === "builtin" ? "built-in" : s.pool} pool, selected by ${s.selection}`,
        );
        break;
    }
  });

  const stages: SafeguardStage[] = [];
  const il = interleave as InterleavePlan | null;
  if (il && il.selection !== "random" && il.misalignedReferences === "auto") stages.push("misaligned_reference");
  if (il) stages.push("interleave_selection");
  if (steering) stages.push("persona_vector");
  stages.push("training");
  if (safelora) stages.push("safelora");
  const prompt = inoculationPrompt as string | null;
  return {
    safeguards: list,
    lossTerms,
    transformTrainingMessages: prompt === null ? (m) => [...m] : (m) => inoculate(m, prompt),
    inoculationPrompt: prompt,
    steering,
    interleave,
    safelora,
    stages,
    summary,
  };
}

function safeloraPlan(s: SafeloraSafeguard): SafeloraPlan {
  return {
    mode: s.mode,
    threshold: s.threshold,
    topK: s.top_k,
    alignedModel: s.aligned_model ?? null,
    unalignedModel: s.unaligned_model,
  };
}
