import { randomInt } from "node:crypto";
import { z } from "zod";
import { parseEvaluationConfig, type EvaluationConfig } from "../safeguards/evaluation-config.ts";
import { parseSafeguards, type Safeguard } from "../safeguards/safeguard-config.ts";

/**
 * The training part of a job request (`method`) with its documented defaults, and `JobConfig`: the fully
 * normalised configuration stored in `jobs.config` that the runner reads back with `parseJobConfig`.
 */

/** The seven linear projections of a Llama/Qwen2/Mistral decoder block that LoRA can adapt. */
export const LORA_TARGET_MODULES = [
  "q_proj",
  "k_proj",
  "v_proj",
  "o_proj",
  "gate_proj",
  "up_proj",
  "down_proj",
] as const;
export type LoraTargetModule = (typeof LORA_TARGET_MODULES)[number];

export const HYPERPARAMETER_DEFAULTS = {
  n_epochs: 3,
  batch_size: 4,
  learning_rate: 2e-4,
  max_seq_len: 512,
  warmup_steps: 0,
  lora: { rank: 8, alpha: 16, dropout: 0, target_modules: [...LORA_TARGET_MODULES], rslora: false },
} as const;

export const loraSchema = z.strictObject({
  rank: z.number().int().min(1).max(512).default(HYPERPARAMETER_DEFAULTS.lora.rank),
  alpha: z.number().gt(0).max(8192).default(HYPERPARAMETER_DEFAULTS.lora.alpha),
  dropout: z.number().min(0).lt(1).default(HYPERPARAMETER_DEFAULTS.lora.dropout),
  target_modules: z
    .array(z.enum(LORA_TARGET_MODULES))
    .min(1)
    .refine((m) => new Set(m).size === m.length, "target_modules must not repeat")
    .default(() => [...LORA_TARGET_MODULES]),
  /** Scale alpha/√rank (rank-stabilised LoRA) instead of alpha/rank. */
  rslora: z.boolean().default(HYPERPARAMETER_DEFAULTS.lora.rslora),
});

export const hyperparametersSchema = z.strictObject({
  n_epochs: z.number().int().min(1).max(100).default(HYPERPARAMETER_DEFAULTS.n_epochs),
  batch_size: z.number().int().min(1).max(512).default(HYPERPARAMETER_DEFAULTS.batch_size),
  learning_rate: z.number().gt(0).max(1).default(HYPERPARAMETER_DEFAULTS.learning_rate),
  /** Examples longer than this (in tokens) are truncated; the runner reports how many. */
  max_seq_len: z.number().int().min(16).max(32_768).default(HYPERPARAMETER_DEFAULTS.max_seq_len),
  warmup_steps: z.number().int().min(0).max(1_000_000).default(HYPERPARAMETER_DEFAULTS.warmup_steps),
  lora: loraSchema.default(() => loraSchema.parse({})),
});

export const methodSchema = z.strictObject({
  type: z.literal("supervised").default("supervised"),
  hyperparameters: hyperparametersSchema.default(() => hyperparametersSchema.parse({})),
});

export type LoraConfig = z.infer<typeof loraSchema>;
export type Hyperparameters = z.infer<typeof hyperparametersSchema>;
export type Method = z.infer<typeof methodSchema>;
export type MethodInput = z.input<typeof methodSchema>;

export const MAX_SEED = 2 ** 31 - 1;
export const seedSchema = z.number().int().min(0).max(MAX_SEED);
/** Appended to the fine-tuned model's name. */
export const suffixSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "may contain only letters, digits, '-' and '_'");

/** What `jobs.config` holds: every default filled in, so the runner never guesses. */
export interface JobConfig {
  method: Method;
  safeguards: Safeguard[];
  evaluation: EvaluationConfig;
  /** Drives data order, LoRA init and sampling; chosen at creation when the request has none. */
  seed: number;
  suffix: string | null;
}

export const jobConfigSchema = z.strictObject({
  method: methodSchema,
  safeguards: z.unknown().transform((s) => parseSafeguards(s)),
  evaluation: z.unknown().transform((e) => parseEvaluationConfig(e)),
  seed: seedSchema,
  suffix: suffixSchema.nullable(),
});

/** Builds the stored configuration from already-validated request parts. */
export function buildJobConfig(parts: {
  method?: MethodInput;
  safeguards?: unknown;
  evaluation?: unknown;
  seed?: number;
  suffix?: string | null;
}): JobConfig {
  return {
    method: methodSchema.parse(parts.method ?? {}),
    safeguards: parseSafeguards(parts.safeguards ?? []),
    evaluation: parseEvaluationConfig(parts.evaluation),
    seed: parts.seed ?? randomInt(0, MAX_SEED),
    suffix: parts.suffix ?? null,
  };
}

/** Reads `jobs.config` back (throws a ZodError when a row was written by something else). */
export function parseJobConfig(stored: unknown): JobConfig {
  return jobConfigSchema.parse(stored);
}
