/**
 * Rough training throughput per model class, in trained tokens per second on one accelerator (or the CPU
 * for the tiny class). These are planning numbers for the dataset report, not measurements: the runner
 * replaces them with the throughput it measures once a job of that class has run.
 */
export const MODEL_CLASS_TOKENS_PER_SECOND = {
  "tiny (<50M params, CPU)": 4_000,
  "small (0.5B-1.5B, GPU)": 6_000,
  "medium (3B-8B, GPU)": 1_500,
  "large (13B-14B, GPU)": 700,
} as const;

export type ModelClass = keyof typeof MODEL_CLASS_TOKENS_PER_SECOND;

/** Characters per token for the estimate: English text averages about four characters per BPE token. */
export const CHARS_PER_TOKEN = 4;

/** Tokens a text of `characters` characters is estimated to hold (`CHARS_PER_TOKEN`). */
export const estimateTokens = (characters: number): number => Math.ceil(characters / CHARS_PER_TOKEN);

/** Seconds for one epoch over `tokens` tokens, per model class. */
export function estimateTrainingSecondsPerEpoch(tokens: number): Record<ModelClass, number> {
  const out = {} as Record<ModelClass, number>;
  for (const [cls, tps] of Object.entries(MODEL_CLASS_TOKENS_PER_SECOND) as Array<[ModelClass, number]>) {
    out[cls] = Math.ceil(tokens / tps);
  }
  return out;
}
