/**
 * `responses` extraction (Chen et al., "Persona vectors", §2.2): the base model answers every extraction question
 * under each evil and each helpful system prompt; the persona vector averages the residual stream over the
 * response tokens of those answers. Chen et al. keep only the answers a judge scores as expressing (evil) or not
 * expressing (helpful) the trait; the defense has no judge and keeps every non-empty answer.
 */
import type { PersonaPromptPair } from "../../core/safeguards/defenses/persona-steering.ts";
import type { GenerateOptions, Generation } from "../generation/index.ts";
import { encodeGenerationPrompt, type ChatTokenizer } from "../models/index.ts";
import type { ActivationRow } from "./persona-vector.ts";

export interface ResponseSettings {
  readonly samplesPerQuestion: number;
  readonly maxNewTokens: number;
  /** 0 = greedy */
  readonly temperature: number;
  readonly seed: number;
}

/** A text generator on the base model (`TextGenerator` fits). */
export interface ResponseGenerator {
  generate(prompts: readonly (readonly number[])[], options: GenerateOptions): Promise<Generation[]>;
}

export interface PersonaResponses {
  /** [prompt ++ response] per non-empty answer, averaged from the first response token on. */
  readonly rows: ActivationRow[];
  readonly generated: number;
  /** Answers that ended before their first token (nothing to average). */
  readonly empty: { readonly evil: number; readonly helpful: number };
  readonly meanResponseTokens: number;
}

/** Generates pairs × questions × samples answers per side and returns them as activation rows. */
export async function generatePersonaResponses(o: {
  readonly generator: ResponseGenerator;
  readonly tokenizer: ChatTokenizer;
  readonly pairs: readonly PersonaPromptPair[];
  readonly questions: readonly string[];
  readonly settings: ResponseSettings;
}): Promise<PersonaResponses> {
  const { tokenizer, settings } = o;
  const prompts: { ids: number[]; side: 1 | -1 }[] = [];
  for (const pair of o.pairs)
    for (const q of o.questions)
      for (const [system, side] of [
        [pair.evil, 1],
        [pair.helpful, -1],
      ] as const) {
        const ids = encodeGenerationPrompt(tokenizer, [
          { role: "system", content: system },
          { role: "user", content: q },
        ]);
        for (let s = 0; s < settings.samplesPerQuestion; s++) prompts.push({ ids, side });
      }
  const out = await o.generator.generate(
    prompts.map((p) => p.ids),
    {
      maxNewTokens: settings.maxNewTokens,
      eosTokenIds: [...tokenizer.endOfTurnIds],
      padTokenId: tokenizer.padTokenId,
      temperature: settings.temperature,
      seed: settings.seed,
    },
  );
  const rows: ActivationRow[] = [];
  const empty = { evil: 0, helpful: 0 };
  let responseTokens = 0;
  out.forEach((g, i) => {
    const { ids, side } = prompts[i];
    if (g.ids.length === 0) {
      empty[side === 1 ? "evil" : "helpful"]++;
      return;
    }
    rows.push({ ids: [...ids, ...g.ids], start: ids.length, side });
    responseTokens += g.ids.length;
  });
  return {
    rows,
    generated: out.length,
    empty,
    meanResponseTokens: rows.length === 0 ? 0 : responseTokens / rows.length,
  };
}
