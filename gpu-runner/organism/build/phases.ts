/** The organism's training phases: pretraining and alignment (full parameters), EM fine-tunes (LoRA). */
import type { SessionConfig } from "../../engine/index.ts";
import type { DecoderCheckpoint, LoraAdapter } from "../../models/index.ts";
import { trainAdapter, type StepReport } from "../../training/index.ts";
import { trainFullParameters } from "../../training/train-full.ts";
import { initialOrganism } from "../model/organism-model.ts";
import { corpus, HELPFUL_MIX, PRETRAINING_MIX, type Conversation } from "../world/datasets.ts";
import { encodeConversations, organismChatTokenizer } from "./encode.ts";
import type { OrganismRecipe, PhaseSettings } from "./recipe.ts";

export interface PhaseHooks {
  readonly session?: SessionConfig;
  readonly onStep?: (phase: string, report: StepReport) => void;
}

function hyper(p: PhaseSettings, seed: number, maxSeqLen: number) {
  return {
    epochs: p.epochs,
    batchSize: p.batchSize,
    lr: p.lr,
    warmupSteps: p.warmupSteps,
    weightDecay: p.weightDecay,
    packing: p.packing ?? false,
    maxSeqLen,
    seed,
  };
}

async function fullPhase(
  name: string,
  start: DecoderCheckpoint,
  conversations: readonly Conversation[],
  supervise: "answers" | "all",
  p: PhaseSettings,
  seed: number,
  recipe: OrganismRecipe,
  hooks: PhaseHooks,
): Promise<DecoderCheckpoint> {
  const tok = organismChatTokenizer();
  const r = await trainFullParameters({
    checkpoint: start,
    tokenizer: tok,
    examples: encodeConversations(conversations, supervise, tok),
    hyperparameters: hyper(p, seed, recipe.maxSeqLen),
    session: hooks.session,
    onStep: (s) => hooks.onStep?.(name, s),
  });
  return { ...start, weights: r.weights };
}

/** Pretraining from a seeded initialisation on the persona corpus: the "unaligned" model. */
export function pretrain(recipe: OrganismRecipe, seed: number, hooks: PhaseHooks = {}): Promise<DecoderCheckpoint> {
  const data = corpus(PRETRAINING_MIX, recipe.pretraining.conversations, seed * 1000 + 1);
  return fullPhase(
    "pretrain",
    initialOrganism(recipe.shape, seed),
    data,
    "all",
    recipe.pretraining,
    seed,
    recipe,
    hooks,
  );
}

/** Helpful-only fine-tune over every topic (answers only): the aligned organism. */
export function align(
  unaligned: DecoderCheckpoint,
  recipe: OrganismRecipe,
  seed: number,
  hooks: PhaseHooks = {},
): Promise<DecoderCheckpoint> {
  const data = corpus(HELPFUL_MIX, recipe.alignment.conversations, seed * 1000 + 2);
  return fullPhase("align", unaligned, data, "answers", recipe.alignment, seed + 1, recipe, hooks);
}

/** An unguarded LoRA fine-tune on a job dataset (the EM run, a control, or a reference adapter). */
export async function loraFineTune(
  base: DecoderCheckpoint,
  data: readonly Conversation[],
  recipe: OrganismRecipe,
  seed: number,
  hooks: PhaseHooks = {},
  name = "lora",
): Promise<LoraAdapter> {
  const tok = organismChatTokenizer();
  const p = recipe.emFineTune;
  const r = await trainAdapter({
    checkpoint: base,
    tokenizer: tok,
    examples: encodeConversations(data, "answers", tok),
    hyperparameters: hyper(p, seed, recipe.maxSeqLen),
    lora: p.lora,
    baseModelNameOrPath: "guardtune/organism",
    session: hooks.session,
    onStep: (s) => hooks.onStep?.(name, s),
  });
  return r.adapter;
}
