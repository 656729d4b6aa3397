/**
 * `persona_steering`: before training, the persona vector e (evil − helpful system prompts) at the output of one
 * block, from the base model's own responses by default; during training only, α·ê is added to the residual
 * stream there, with α relative to the mean residual norm at that block (see persona-vector.ts).
 */
import type { PersonaSteeringSafeguard } from "../../../core/safeguards/safeguard-config.ts";
import { BUILTIN_PERSONA_PROMPT_PAIRS } from "../../builtin-data/persona-prompts.ts";
import { BUILTIN_PERSONA_QUESTIONS } from "../../builtin-data/persona-questions.ts";
import { TextGenerator } from "../../generation/index.ts";
import { checkpointOptions, ropeDtypeOf } from "../../models/decoder/checkpoint-options.ts";
import { DecoderSession } from "../../models/decoder/decoder-session.ts";
import { deviceBufferLayout } from "../../models/decoder/device-layout.ts";
import { SafeguardPlanError, type Defense, type PrepareContext } from "../defense.ts";
import { generatePersonaResponses, type ResponseSettings } from "../persona-responses.ts";
import {
  checkPersonaLayer,
  computePersonaVector,
  DEFAULT_ACTIVATION_BATCH_ROWS,
  defaultPersonaLayer,
  personaSteering,
  promptSuffixRows,
  type ActivationRow,
} from "../persona-vector.ts";
import type { PersonaPromptPair } from "../../../core/safeguards/defenses/persona-steering.ts";

export interface SteeringPlan {
  readonly layer: number;
  readonly relativeAlpha: number;
  readonly extraction: PersonaSteeringSafeguard["extraction"];
  readonly pairs: readonly PersonaPromptPair[];
  readonly questions: readonly string[];
  /** Present in `responses` mode. */
  readonly responses?: Omit<ResponseSettings, "seed">;
}

/** Base-model answers under every prompt, reported as the stage `persona_responses`. */
async function responseRows(ctx: PrepareContext, plan: SteeringPlan, settings: ResponseSettings) {
  const { checkpoint } = ctx;
  const generator = await TextGenerator.create(checkpoint.config, checkpoint.weights, {
    session: ctx.session,
    ropeDtype: ropeDtypeOf(checkpoint),
  });
  try {
    return await ctx.progress.stage(
      "persona_responses",
      `Generating ${plan.pairs.length * plan.questions.length * settings.samplesPerQuestion * 2} persona responses ` +
        `(${plan.pairs.length} prompt pairs × ${plan.questions.length} questions × ${settings.samplesPerQuestion} × 2 sides)`,
      () =>
        generatePersonaResponses({
          generator,
          tokenizer: ctx.tokenizer,
          pairs: plan.pairs,
          questions: plan.questions,
          settings,
        }),
      (r) => ({ generated: r.generated, empty: r.empty, mean_response_tokens: r.meanResponseTokens }),
    );
  } finally {
    await generator.release();
  }
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
    const plan: SteeringPlan = {
      layer,
      relativeAlpha: s.relative_alpha,
      extraction: s.extraction,
      pairs: s.prompt_pairs === "builtin" ? BUILTIN_PERSONA_PROMPT_PAIRS : s.prompt_pairs,
      questions: s.questions === "builtin" ? BUILTIN_PERSONA_QUESTIONS : s.questions,
      ...(s.extraction === "responses"
        ? {
            responses: {
              samplesPerQuestion: s.samples_per_question,
              maxNewTokens: s.max_new_tokens,
              temperature: s.temperature,
            },
          }
        : {}),
    };
    const source =
      s.extraction === "responses"
        ? `responses to ${plan.questions.length} questions under ${plan.pairs.length} prompt pairs`
        : `prompt suffixes of ${plan.questions.length} questions under ${plan.pairs.length} prompt pairs`;
    return {
      type: "persona_steering",
      details: plan,
      summary:
        `persona_steering: add α·ê (evil − helpful persona from ${source}; α = ${s.relative_alpha} × mean ` +
        `residual norm) to block ${layer} during training`,
      preparationStages: s.extraction === "responses" ? ["persona_responses", "persona_vector"] : ["persona_vector"],
      async prepare(ctx) {
        const responses =
          plan.responses && (await responseRows(ctx, plan, { ...plan.responses, seed: ctx.config.seed }));
        const rows: ActivationRow[] = responses?.rows ?? promptSuffixRows(ctx.tokenizer, plan.pairs, plan.questions);
        // within the device's binding limit for the largest batch computePersonaVector runs
        const longest = Math.max(1, ...rows.map((r) => r.ids.length));
        const layout = await deviceBufferLayout(ctx.session?.ep, DEFAULT_ACTIVATION_BATCH_ROWS * longest);
        const session = DecoderSession.create(ctx.checkpoint.config, {
          ...checkpointOptions(ctx.checkpoint),
          ...layout,
          hiddenStates: [layer + 1],
          logits: false,
          session: ctx.session,
        });
        try {
          const persona = await ctx.progress.stage(
            "persona_vector",
            `Computing the persona vector at block ${layer} over ${rows.length} conversations`,
            () =>
              computePersonaVector({
                config: ctx.checkpoint.config,
                padTokenId: ctx.tokenizer.padTokenId,
                layer,
                rows,
                readHidden: async (batch, index) => (await session.forward(batch)).hidden.get(index)!,
              }),
            (p) => ({ layer: p.layer, norm: p.norm, residual_norm: p.residualNorm, ...p.conversations }),
          );
          const steering = personaSteering(persona, s.relative_alpha);
          return {
            steering: { layer, vector: steering.vector, alpha: steering.alpha },
            report: {
              extraction: s.extraction,
              layer,
              relative_alpha: s.relative_alpha,
              alpha: steering.alpha,
              residual_norm: persona.residualNorm,
              vector_norm: persona.norm,
              coefficient: steering.coefficient,
              prompt_pairs: plan.pairs.length,
              questions: plan.questions.length,
              conversations: persona.conversations,
              mean_tokens: persona.meanTokens,
              ...(responses ? { empty_responses: responses.empty } : {}),
            },
          };
        } finally {
          await session.release();
        }
      },
    };
  },
};
