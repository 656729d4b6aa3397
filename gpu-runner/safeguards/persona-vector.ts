/**
 * The persona vector for preventative steering (Chen et al., "Persona vectors", arXiv 2507.21509, §2.2): the mean
 * residual activation at the output of one decoder block over conversations under evil system prompts − the same
 * under helpful ones. Each conversation contributes the mean over its averaged tokens (its response tokens, or the
 * prompt tokens both personas share); each side is the mean over its conversations. Accumulation is in float64.
 *
 * Steering adds α·ê along the unit direction ê = e/‖e‖, with α relative to the size of the residual stream there:
 * α = relative_alpha · mean ‖h‖ over the averaged tokens. A relative strength means the same on every model;
 * Chen et al.'s coefficient c on the unnormalised vector is c = α/‖e‖ (reported alongside).
 */
import { decoderBatch, type DecoderBatch } from "../models/decoder/decoder-batch.ts";
import { encodeGenerationPrompt, type ChatTokenizer, type DecoderConfig } from "../models/index.ts";
import type { PersonaPromptPair } from "../../core/safeguards/defenses/persona-steering.ts";

/** Runs the base model (adapter off, no steering) and returns the hidden state at `hiddenIndex`, [B, T, H]. */
export type HiddenStateReader = (batch: DecoderBatch, hiddenIndex: number) => Promise<Float32Array>;

/** One conversation: its tokens [start, ids.length) are averaged, on the evil (+1) or the helpful (−1) side. */
/** Rows per forward pass when reading hidden states, unless `batchSize` says otherwise. */
export const DEFAULT_ACTIVATION_BATCH_ROWS = 16;

export interface ActivationRow {
  readonly ids: readonly number[];
  readonly start: number;
  readonly side: 1 | -1;
}

export interface PersonaVector {
  readonly layer: number;
  /** [H] mean(evil) − mean(helpful), unnormalised */
  readonly vector: Float32Array;
  /** ‖e‖ */
  readonly norm: number;
  /** Mean ℓ2 norm of the residual stream at the block over every averaged token of both sides. */
  readonly residualNorm: number;
  readonly conversations: { readonly evil: number; readonly helpful: number };
  /** Mean number of averaged tokens per conversation. */
  readonly meanTokens: number;
}

/**
 * Default steered block: round(0.7·L) − 1, whose output is HF hidden state round(0.7·L). Chen et al. steer
 * Qwen2.5-7B-Instruct's evil vector at their layer 20 of 28 (hidden state 20, the output of block 19: their
 * steering hook sits on `model.layers[layer − 1]`), ≈ 0.7·L. Kept inside the readable blocks 0..L − 2.
 */
export function defaultPersonaLayer(numLayers: number): number {
  return Math.max(0, Math.min(Math.round(0.7 * numLayers) - 1, numLayers - 2));
}

/** Block outputs are HF hidden states l + 1 except the last block's (reported after the final norm). */
export function checkPersonaLayer(layer: number, numLayers: number): void {
  if (!Number.isInteger(layer) || layer < 0 || layer > numLayers - 2) {
    throw new RangeError(
      `persona_steering.layer must be a decoder block in 0..${numLayers - 2} (the model has ${numLayers}), got ${layer}`,
    );
  }
}

/** Length of the longest common suffix of two id sequences. */
export function commonSuffixLength(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

/**
 * `prompt_suffix` extraction: for each pair and question the two conversations [system, user] differ only in the
 * system prompt, so they end in the same tokens (end of the system turn, the user turn, the assistant header);
 * those are averaged: the same tokens on both sides, read after the system prompt has acted through attention.
 */
export function promptSuffixRows(
  tokenizer: ChatTokenizer,
  pairs: readonly PersonaPromptPair[],
  questions: readonly string[],
): ActivationRow[] {
  return pairs.flatMap((pair) =>
    questions.flatMap((q) => {
      const user = { role: "user" as const, content: q };
      const evil = encodeGenerationPrompt(tokenizer, [{ role: "system", content: pair.evil }, user]);
      const helpful = encodeGenerationPrompt(tokenizer, [{ role: "system", content: pair.helpful }, user]);
      // never let the suffix reach into a system prompt (identical prompt endings would otherwise count)
      const suffix = Math.min(commonSuffixLength(evil, helpful), evil.length - 1, helpful.length - 1);
      if (suffix <= 0)
        throw new RangeError("persona vector: the evil and helpful conversations share no trailing tokens");
      return [
        { ids: evil, start: evil.length - suffix, side: 1 as const },
        { ids: helpful, start: helpful.length - suffix, side: -1 as const },
      ];
    }),
  );
}

export interface PersonaVectorInputs {
  readonly config: DecoderConfig;
  readonly padTokenId: number;
  readonly readHidden: HiddenStateReader;
  /** 0-based decoder block whose output is read (and later steered). */
  readonly layer: number;
  readonly rows: readonly ActivationRow[];
  /** Conversations per forward run (default 16). */
  readonly batchSize?: number;
}

/** e = mean over evil rows of their token means − the same over helpful rows, and the mean residual norm. */
export async function computePersonaVector(inputs: PersonaVectorInputs): Promise<PersonaVector> {
  const { config, layer, rows } = inputs;
  checkPersonaLayer(layer, config.numLayers);
  const bad = rows.findIndex((r) => !(Number.isInteger(r.start) && r.start >= 0 && r.start < r.ids.length));
  if (bad >= 0) throw new RangeError(`persona vector: conversation ${bad} has no tokens to average`);
  const evil = rows.filter((r) => r.side === 1).length;
  const helpful = rows.length - evil;
  if (evil === 0 || helpful === 0)
    throw new RangeError(`persona vector: needs conversations on both sides (evil ${evil}, helpful ${helpful})`);
  const h = config.hiddenSize;
  const sum = new Float64Array(h);
  let normSum = 0;
  let tokens = 0;
  const batchSize = inputs.batchSize ?? DEFAULT_ACTIVATION_BATCH_ROWS;
  for (let start = 0; start < rows.length; start += batchSize) {
    const chunk = rows.slice(start, start + batchSize);
    const width = Math.max(...chunk.map((r) => r.ids.length));
    // right padding: positions stay 0..T − 1 and causal attention never sees the pad tokens
    const batch = decoderBatch({
      inputIds: chunk.map((r) => [...r.ids, ...new Array<number>(width - r.ids.length).fill(inputs.padTokenId)]),
      attentionMask: chunk.map((r) => r.ids.map(() => 1).concat(new Array<number>(width - r.ids.length).fill(0))),
    });
    const hidden = await inputs.readHidden(batch, layer + 1); // [B, T, H]
    chunk.forEach((r, b) => {
      const n = r.ids.length - r.start;
      const w = 1 / (n * (r.side === 1 ? evil : -helpful));
      for (let t = r.start; t < r.ids.length; t++) {
        const base = (b * width + t) * h;
        let sq = 0;
        for (let k = 0; k < h; k++) {
          const x = hidden[base + k];
          sum[k] += w * x;
          sq += x * x;
        }
        normSum += Math.sqrt(sq);
      }
      tokens += n;
    });
  }
  const vector = Float32Array.from(sum);
  const norm = Math.sqrt(sum.reduce((s, x) => s + x * x, 0));
  return {
    layer,
    vector,
    norm,
    residualNorm: normSum / tokens,
    conversations: { evil, helpful },
    meanTokens: tokens / rows.length,
  };
}

/** What training adds at the block: α·ê with α = relativeAlpha · mean ‖h‖ (`SteeringSettings`). */
export interface PersonaSteering {
  readonly layer: number;
  /** [H] unit direction ê */
  readonly vector: Float32Array;
  /** absolute α */
  readonly alpha: number;
  /** Chen et al.'s coefficient on the unnormalised vector: α/‖e‖. */
  readonly coefficient: number;
}

export function personaSteering(persona: PersonaVector, relativeAlpha: number): PersonaSteering {
  if (!(persona.norm > 0) || !Number.isFinite(persona.norm))
    throw new RangeError(
      `persona vector: ‖e‖ = ${persona.norm} at block ${persona.layer}; the two personas have the same mean ` +
        "activation there, so there is no direction to steer along (use prompt pairs or questions that differ)",
    );
  const alpha = relativeAlpha * persona.residualNorm;
  return {
    layer: persona.layer,
    vector: persona.vector.map((x) => x / persona.norm),
    alpha,
    coefficient: alpha / persona.norm,
  };
}
