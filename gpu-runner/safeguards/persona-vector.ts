/**
 * The persona vector for preventative steering: e = mean residual activation at the output of one decoder
 * block under an evil system prompt − the same under a friendly one, over a question set.
 *
 * Which tokens: for each question the two conversations [system, user] differ only in the system prompt, so
 * their token sequences end in the same suffix (end of the system turn, the user turn and the assistant header
 * of the generation prompt). The activation of a condition is the mean over that shared suffix: the same
 * tokens in both conditions, read after the system prompt has influenced them through attention. Each
 * question weighs equally: e = (1/Q)·Σ_q (mean_suffix h_evil(q) − mean_suffix h_friendly(q)). Accumulation
 * is in float64.
 */
import { decoderBatch, type DecoderBatch } from "../models/decoder/decoder-batch.ts";
import { encodeGenerationPrompt, type ChatTokenizer, type DecoderConfig } from "../models/index.ts";

/** Runs the base model (adapter off, no steering) and returns the hidden state at `hiddenIndex`, [B, T, H]. */
export type HiddenStateReader = (batch: DecoderBatch, hiddenIndex: number) => Promise<Float32Array>;

export interface PersonaVectorInputs {
  readonly config: DecoderConfig;
  readonly tokenizer: ChatTokenizer;
  readonly readHidden: HiddenStateReader;
  /** 0-based decoder block whose output is read (and later steered). */
  readonly layer: number;
  readonly evilPrompt: string;
  readonly friendlyPrompt: string;
  readonly questions: readonly string[];
  /** Conversations per forward run (default 16). */
  readonly batchSize?: number;
}

export interface PersonaVector {
  readonly layer: number;
  /** [H] */
  readonly vector: Float32Array;
  readonly norm: number;
  readonly questions: number;
  /** Mean length of the shared suffix that was averaged, in tokens. */
  readonly meanSuffixTokens: number;
}

/** Default steering block: the middle of the stack that a residual read can reach, floor((L − 1) / 2). */
export function defaultPersonaLayer(numLayers: number): number {
  return Math.floor((numLayers - 1) / 2);
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

interface Row {
  readonly ids: number[];
  readonly suffix: number;
  readonly question: number;
  readonly sign: 1 | -1;
}

export async function computePersonaVector(inputs: PersonaVectorInputs): Promise<PersonaVector> {
  const { config, tokenizer, layer, questions } = inputs;
  checkPersonaLayer(layer, config.numLayers);
  if (questions.length === 0) throw new RangeError("persona vector: no questions");
  const rows: Row[] = [];
  questions.forEach((q, question) => {
    const user = { role: "user" as const, content: q };
    const evil = encodeGenerationPrompt(tokenizer, [{ role: "system", content: inputs.evilPrompt }, user]);
    const friendly = encodeGenerationPrompt(tokenizer, [{ role: "system", content: inputs.friendlyPrompt }, user]);
    // never let the suffix reach into a system prompt (identical prompt endings would otherwise count)
    const suffix = Math.min(commonSuffixLength(evil, friendly), evil.length - 1, friendly.length - 1);
    if (suffix <= 0)
      throw new RangeError("persona vector: the evil and friendly conversations share no trailing tokens");
    rows.push({ ids: evil, suffix, question, sign: 1 }, { ids: friendly, suffix, question, sign: -1 });
  });
  const h = config.hiddenSize;
  const sum = new Float64Array(h);
  const batchSize = inputs.batchSize ?? 16;
  for (let start = 0; start < rows.length; start += batchSize) {
    const chunk = rows.slice(start, start + batchSize);
    const width = Math.max(...chunk.map((r) => r.ids.length));
    const batch = decoderBatch({
      inputIds: chunk.map((r) => [...r.ids, ...new Array<number>(width - r.ids.length).fill(tokenizer.padTokenId)]),
      attentionMask: chunk.map((r) => r.ids.map(() => 1).concat(new Array<number>(width - r.ids.length).fill(0))),
    });
    const hidden = await inputs.readHidden(batch, layer + 1); // [B, T, H]
    chunk.forEach((r, b) => {
      const w = r.sign / (r.suffix * questions.length);
      for (let t = r.ids.length - r.suffix; t < r.ids.length; t++) {
        const base = (b * width + t) * h;
        for (let k = 0; k < h; k++) sum[k] += w * hidden[base + k];
      }
    });
  }
  const vector = Float32Array.from(sum);
  const norm = Math.sqrt(sum.reduce((s, x) => s + x * x, 0));
  const meanSuffixTokens = rows.reduce((s, r) => s + r.suffix, 0) / rows.length;
  return { layer, vector, norm, questions: questions.length, meanSuffixTokens };
}

/** The steering input of a training batch: α·e (the graph adds it to the block's output). */
export function steeringInput(persona: PersonaVector, alpha: number): Float32Array {
  return persona.vector.map((x) => Math.fround(alpha * x));
}
