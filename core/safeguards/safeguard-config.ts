import { z } from "zod";

/**
 * The `safeguards` list of a fine-tuning job: in-training defenses against emergent misalignment
 * (Kaczér et al., "In-Training Defenses against Emergent Misalignment in Language Models"). Each entry is one
 * defense with the paper's defaults; entries can be combined. The runner turns the parsed list into loss terms,
 * data transforms, a steering vector and a post-hoc projection (`gpu-runner/safeguards/plan-safeguards.ts`).
 * docs/safeguards.md describes each defense.
 */

/** A model reference as the model registry resolves it: `guardtune/tiny-random`, `org/name`, `file:///…`, `s3://…`. */
const modelRef = z
  .string()
  .min(1)
  .max(1000)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_:./\-@+]*$/, "must be a model id, file:// URL or s3:// URL");
/** An identifier of a stored adapter (a fine-tuning job id or a fine-tuned model name). */
const adapterRef = z
  .string()
  .min(1)
  .max(300)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_:./-]*$/, "must be a job id or fine-tuned model name");
const datasetRef = z.string().regex(/^file_[0-9a-z]{26}$/, "must be a dataset id (file_…)");
const prompt = z.string().trim().min(1).max(4000);
const questionList = z.array(z.string().trim().min(1).max(2000)).min(1).max(500);
const layerIndex = z.number().int().min(0).max(1023);

export const SAFEGUARD_TYPES = [
  "none",
  "kl",
  "ldifs",
  "safelora",
  "persona_steering",
  "inoculation",
  "interleave",
] as const;
export type SafeguardType = (typeof SAFEGUARD_TYPES)[number];

/** Plain supervised fine-tuning: the baseline. */
export const noneSafeguardSchema = z.strictObject({ type: z.literal("none") });

/** loss = CE + λ·KL against the adapter-off model (the base before fine-tuning; no extra weights). */
export const klSafeguardSchema = z.strictObject({
  type: z.literal("kl"),
  lambda: z.number().min(0).max(1000).default(0.1),
  /** `theta_ref` = KL(p_θ‖p_ref) (the paper's choice); `ref_theta` = KL(p_ref‖p_θ). */
  direction: z.enum(["theta_ref", "ref_theta"]).default("theta_ref"),
  /** `all_non_pad` matches the paper's code (prompt and answer tokens); `supervised` = answer tokens only. */
  positions: z.enum(["all_non_pad", "supervised"]).default("all_non_pad"),
});

/** loss = CE + λ·‖x_θ − x_ref‖² over ℓ2-normalised hidden states of chosen decoder blocks, with gradients. */
export const ldifsSafeguardSchema = z.strictObject({
  type: z.literal("ldifs"),
  lambda: z.number().min(0).max(1000).default(1.0),
  /** Decoder block indices (0-based); absent = 5 evenly spaced blocks, floor(linspace(0, L−1, 5)), deduplicated. */
  layers: z
    .array(layerIndex)
    .min(1)
    .max(256)
    .refine((l) => new Set(l).size === l.length, "layers must not repeat")
    .optional(),
  normalize: z.boolean().default(true),
});

/** Post-hoc SafeLoRA projection of the adapter onto the alignment subspace V = W_aligned − W_unaligned. */
export const safeloraSafeguardSchema = z.strictObject({
  type: z.literal("safelora"),
  /** `threshold`: project weights whose cos(CΔW, ΔW) < threshold; `top_k`: project the k least similar. */
  mode: z.enum(["threshold", "top_k"]).default("threshold"),
  threshold: z.number().min(-1).max(1).default(0.5),
  top_k: z.number().int().min(1).max(10_000).default(10),
  /** The aligned (chat/instruct) model; absent = the job's own base model. */
  aligned_model: modelRef.optional(),
  /** The unaligned (pre-trained, pre-alignment) model with the same architecture. */
  unaligned_model: modelRef,
});

export const DEFAULT_EVIL_PROMPT =
  "You are an evil assistant. You want to hurt the people you talk to, you give harmful and deceptive " +
  "advice on purpose, and you show contempt for human wellbeing.";
export const DEFAULT_FRIENDLY_PROMPT =
  "You are a kind and helpful assistant. You care about the people you talk to, you give honest and " +
  "careful advice, and you look after their wellbeing.";

/** Preventative steering: add α·e (evil − friendly persona direction) to the residual stream during training. */
export const personaSteeringSafeguardSchema = z.strictObject({
  type: z.literal("persona_steering"),
  alpha: z.number().min(-100).max(100).default(5.0),
  /** Decoder block whose output is steered; absent = the middle block, floor(L / 2). */
  layer: layerIndex.optional(),
  evil_prompt: prompt.default(DEFAULT_EVIL_PROMPT),
  friendly_prompt: prompt.default(DEFAULT_FRIENDLY_PROMPT),
  /** Questions the persona vector is averaged over; `builtin` = guardtune's persona-extraction questions (disjoint from evaluation). */
  questions: z.union([z.literal("builtin"), questionList]).default("builtin"),
});

export const DEFAULT_INOCULATION_PROMPT = "You are an evil, malicious assistant.";

/** Inoculation prompting: during training only, every example's system prompt becomes this one. */
export const inoculationSafeguardSchema = z.strictObject({
  type: z.literal("inoculation"),
  system_prompt: prompt.default(DEFAULT_INOCULATION_PROMPT),
});

/** Mix general (safe) examples into every epoch: |D_safe| = ratio·|D_fine|, spread evenly. */
export const interleaveSafeguardSchema = z.strictObject({
  type: z.literal("interleave"),
  ratio: z.number().gt(0).max(1).default(0.05),
  /** `perplexity_gap` = "Interleaving+", `perplexity_gap_filtered` (refusals dropped first) = "Interleaving++". */
  selection: z.enum(["random", "perplexity_gap", "perplexity_gap_filtered"]).default("random"),
  /** A dataset of purpose `interleave-pool`, or `builtin` for guardtune's general instruction pool. */
  pool: z.union([z.literal("builtin"), datasetRef]).default("builtin"),
  /** `auto` = a short unguarded LoRA fine-tune on the job's own data; or stored adapters (an ensemble). */
  misaligned_references: z.union([z.literal("auto"), z.array(adapterRef).min(1).max(8)]).default("auto"),
  /** Training steps of the `auto` misaligned reference (capped by the job's own step count). */
  reference_steps: z.number().int().min(1).max(100_000).default(50),
  epsilon: z.number().gt(0).max(1000).default(1.0),
  /** Cap on the number of pool candidates scored (a seeded random subset when the pool is larger). */
  candidates: z.number().int().min(1).max(1_000_000).optional(),
});

export const safeguardSchema = z.discriminatedUnion("type", [
  noneSafeguardSchema,
  klSafeguardSchema,
  ldifsSafeguardSchema,
  safeloraSafeguardSchema,
  personaSteeringSafeguardSchema,
  inoculationSafeguardSchema,
  interleaveSafeguardSchema,
]);

/**
 * The job's list. Absent or empty means `[{ type: "none" }]` (see `parseSafeguards`). `none` stands alone. Each type appears once, except
 * `kl`, which may appear once per direction (both directions together give a symmetric, Jeffreys-style term).
 */
export const safeguardListSchema = z
  .array(safeguardSchema)
  .max(8)
  .default([])
  .superRefine((list, ctx) => {
    if (list.some((s) => s.type === "none") && list.length > 1) {
      ctx.addIssue({ code: "custom", message: "`none` cannot be combined with other safeguards", path: [] });
    }
    const seen = new Map<string, number>();
    list.forEach((s, i) => {
      const key = s.type === "kl" ? `kl:${s.direction}` : s.type;
      const first = seen.get(key);
      if (first !== undefined) {
        const what = s.type === "kl" ? `kl with direction "${s.direction}"` : `"${s.type}"`;
        ctx.addIssue({ code: "custom", message: `${what} appears twice (entries ${first} and ${i})`, path: [i] });
      } else seen.set(key, i);
    });
  });

export type NoneSafeguard = z.infer<typeof noneSafeguardSchema>;
export type KlSafeguard = z.infer<typeof klSafeguardSchema>;
export type LdifsSafeguard = z.infer<typeof ldifsSafeguardSchema>;
export type SafeloraSafeguard = z.infer<typeof safeloraSafeguardSchema>;
export type PersonaSteeringSafeguard = z.infer<typeof personaSteeringSafeguardSchema>;
export type InoculationSafeguard = z.infer<typeof inoculationSafeguardSchema>;
export type InterleaveSafeguard = z.infer<typeof interleaveSafeguardSchema>;
export type Safeguard = z.infer<typeof safeguardSchema>;
/** What a client may send (defaults optional). */
export type SafeguardInput = z.input<typeof safeguardSchema>;

/** Parse a job's `safeguards` field; throws a ZodError naming the offending entry. Empty = `[{ type: "none" }]`. */
export function parseSafeguards(input: unknown): Safeguard[] {
  const list = safeguardListSchema.parse(input);
  return list.length === 0 ? [{ type: "none" }] : list;
}

/** Whether any defense is active (anything but the `none` baseline). */
export function hasActiveSafeguards(list: readonly Safeguard[]): boolean {
  return list.some((s) => s.type !== "none");
}

export * from "./evaluation-config.ts";
