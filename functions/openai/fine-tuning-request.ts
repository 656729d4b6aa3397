import { z } from "@hono/zod-openapi";
import {
  HYPERPARAMETER_DEFAULTS,
  hyperparametersSchema,
  seedSchema,
  suffixSchema,
  type MethodInput,
} from "../../core/jobs/job-config.ts";
import { evaluationRequestSchema } from "../../core/safeguards/evaluation-config.ts";
import { safeguardListSchema } from "../../core/safeguards/safeguard-config.ts";
import { metadataSchema } from "../jobs/job-schemas.ts";
import type { JobRequest } from "../jobs/resolve-job-request.ts";

/**
 * OpenAI's `POST /v1/fine_tuning/jobs` body, mapped onto the native job request. `learning_rate_multiplier`
 * scales guardtune's base learning rate (2e-4); `"auto"` means the documented default. guardtune's own
 * fields (`safeguards`, `evaluation`, and `learning_rate`, `max_seq_len`, `warmup_steps`, `lora` among the
 * hyper-parameters) ride along as extra body fields.
 */
export const BASE_LEARNING_RATE = HYPERPARAMETER_DEFAULTS.learning_rate;

const auto = <T extends z.ZodType>(schema: T) => z.union([z.literal("auto"), schema]);
const h = hyperparametersSchema.shape;

export const OpenAIHyperparameters = z.strictObject({
  batch_size: auto(z.number().int().min(1).max(512)).optional(),
  learning_rate_multiplier: auto(
    z
      .number()
      .gt(0)
      .max(1 / BASE_LEARNING_RATE),
  ).optional(),
  n_epochs: auto(z.number().int().min(1).max(100)).optional(),
  learning_rate: h.learning_rate.unwrap().optional(),
  max_seq_len: h.max_seq_len.unwrap().optional(),
  warmup_steps: h.warmup_steps.unwrap().optional(),
  lora: h.lora.unwrap().optional(),
});
type OpenAIHyperparameters = z.infer<typeof OpenAIHyperparameters>;

export const CreateFineTuningJobBody = z
  .looseObject({
    model: z.string().min(1).max(1000).openapi({ example: "guardtune/tiny-random" }),
    training_file: z.string().min(1).max(100),
    validation_file: z.string().min(1).max(100).nullable().optional(),
    /** Deprecated by OpenAI in favour of `method`; still accepted. */
    hyperparameters: OpenAIHyperparameters.optional(),
    method: z
      .object({
        type: z.literal("supervised", { message: "only 'supervised' fine-tuning is supported" }),
        supervised: z.object({ hyperparameters: OpenAIHyperparameters.optional() }).optional(),
      })
      .optional(),
    seed: seedSchema.nullable().optional(),
    suffix: suffixSchema.nullable().optional(),
    metadata: metadataSchema.nullable().optional(),
    /** Accepted for compatibility; guardtune has no third-party integrations. */
    integrations: z.array(z.unknown()).nullable().optional(),
    safeguards: safeguardListSchema.optional(),
    evaluation: evaluationRequestSchema.optional(),
  })
  .openapi("CreateFineTuningJobRequest");
export type CreateFineTuningJobBody = z.infer<typeof CreateFineTuningJobBody>;

/** Maps an OpenAI fine-tuning job request onto guardtune's job request (`auto` values take guardtune's defaults). */
export function toJobRequest(body: CreateFineTuningJobBody): JobRequest {
  const hp: OpenAIHyperparameters = body.method?.supervised?.hyperparameters ?? body.hyperparameters ?? {};
  const value = <T>(v: T | "auto" | undefined): T | undefined => (v === "auto" ? undefined : v);
  const multiplier = value(hp.learning_rate_multiplier);
  const method: MethodInput = {
    type: "supervised",
    hyperparameters: {
      n_epochs: value(hp.n_epochs),
      batch_size: value(hp.batch_size),
      learning_rate: hp.learning_rate ?? (multiplier === undefined ? undefined : multiplier * BASE_LEARNING_RATE),
      max_seq_len: hp.max_seq_len,
      warmup_steps: hp.warmup_steps,
      lora: hp.lora,
    },
  };
  return {
    model: body.model,
    training_dataset: body.training_file,
    validation_dataset: body.validation_file ?? null,
    method,
    safeguards: body.safeguards,
    evaluation: body.evaluation,
    seed: body.seed ?? undefined,
    suffix: body.suffix ?? undefined,
    metadata: body.metadata ?? undefined,
  };
}

/** Field names of the OpenAI request, for errors found after schema validation. */
export const OPENAI_PARAMS = {
  model: "model",
  training_dataset: "training_file",
  validation_dataset: "validation_file",
};
