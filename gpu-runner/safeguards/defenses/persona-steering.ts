/**
 * `persona_steering`: before training, the persona vector e (evil − friendly system prompt) at the output of
 * one block; during training only, α·e is added to the residual stream there.
 */
import type { PersonaSteeringSafeguard } from "../../../core/safeguards/safeguard-config.ts";
import { BUILTIN_PERSONA_QUESTIONS } from "../../builtin-data/persona-questions.ts";
import { DecoderSession } from "../../models/decoder/decoder-session.ts";
import { SafeguardPlanError, type Defense } from "../defense.ts";
import { checkPersonaLayer, computePersonaVector, defaultPersonaLayer } from "../persona-vector.ts";

export interface SteeringPlan {
  readonly layer: number;
  readonly alpha: number;
  readonly evilPrompt: string;
  readonly friendlyPrompt: string;
  readonly questions: readonly string[];
}

export const personaSteeringDefense: Defense<PersonaSteeringSafeguard> = {
  type: "persona_steering",
  plan(s, { decoder, field }) {
    const layer = s.layer ?? defaultPersonaLayer(decoder.numLayers);
    try {
      checkPersonaLayer(layer, decoder.numLayers);
    } catch (e) {
      throw new SafeguardPlanError((e as Error).message, field("layer"));
    }
    const questions = s.questions === "builtin" ? BUILTIN_PERSONA_QUESTIONS : s.questions;
    const steering: SteeringPlan = {
      layer,
      alpha: s.alpha,
      evilPrompt: s.evil_prompt,
      friendlyPrompt: s.friendly_prompt,
      questions,
    };
    return {
      type: "persona_steering",
      details: steering,
      summary: `persona_steering: add ${s.alpha}·e (evil − friendly persona, ${questions.length} questions) to block ${layer} during training`,
      preparationStages: ["persona_vector"],
      async prepare(ctx) {
        const { checkpoint } = ctx;
        const session = DecoderSession.create(checkpoint.config, {
          weights: checkpoint.weights,
          hiddenStates: [layer + 1],
          logits: false,
          session: ctx.session,
        });
        try {
          const persona = await ctx.progress.stage(
            "persona_vector",
            `Computing the persona vector at block ${layer} over ${questions.length} questions`,
            () =>
              computePersonaVector({
                config: checkpoint.config,
                tokenizer: ctx.tokenizer,
                layer,
                evilPrompt: steering.evilPrompt,
                friendlyPrompt: steering.friendlyPrompt,
                questions,
                readHidden: async (batch, index) => (await session.forward(batch)).hidden.get(index)!,
              }),
            (p) => ({ layer: p.layer, norm: p.norm, questions: p.questions }),
          );
          return {
            steering: { layer, vector: persona.vector, alpha: s.alpha },
            report: { layer, alpha: s.alpha, vector_norm: persona.norm, questions: persona.questions },
          };
        } finally {
          await session.release();
        }
      },
    };
  },
};
