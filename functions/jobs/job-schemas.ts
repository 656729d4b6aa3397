import { z } from "@hono/zod-openapi";
import { methodSchema, seedSchema, suffixSchema } from "../../core/jobs/job-config.ts";
import { jobObjectSchema } from "../../core/jobs/job-object.ts";
import { evaluationRequestSchema } from "../../core/safeguards/evaluation-config.ts";
import { safeguardListSchema } from "../../core/safeguards/safeguard-config.ts";

export const MAX_METADATA_PAIRS = 16;

/** At most 16 string pairs; keys ≤ 64 characters, values ≤ 512 (the OpenAI limits). */
export const metadataSchema = z
  .record(z.string().min(1).max(64), z.string().max(512))
  .refine((m) => Object.keys(m).length <= MAX_METADATA_PAIRS, `at most ${MAX_METADATA_PAIRS} metadata pairs`)
  .openapi({ example: { team: "support-bot" } });

const datasetId = z.string().min(1).max(100);

export const CreateJobBody = z
  .strictObject({
    model: z.string().min(1).max(1000).openapi({
      description:
        "`guardtune/tiny-random`, `file:///absolute/dir` or `s3://bucket/prefix/` (a Hugging Face directory).",
      example: "guardtune/tiny-random",
    }),
    training_dataset: datasetId.openapi({
      description: "A `ready` dataset of purpose `fine-tune`.",
      example: "file_01j...",
    }),
    validation_dataset: datasetId.nullable().optional(),
    method: methodSchema.optional().openapi({
      description:
        "Defaults: n_epochs 3, batch_size 4, learning_rate 2e-4, max_seq_len 512, warmup_steps 0, " +
        "lora { rank 8, alpha 16, dropout 0, target_modules all seven projections, rslora false }.",
    }),
    safeguards: safeguardListSchema.optional().openapi({
      description: 'In-training defenses; `[]` or `[{ type: "none" }]` trains unguarded.',
      example: [{ type: "kl", lambda: 0.1 }],
    }),
    evaluation: evaluationRequestSchema.optional(),
    seed: seedSchema.optional(),
    suffix: suffixSchema.optional(),
    metadata: metadataSchema.optional(),
    webhook: z.strictObject({ endpoint_id: z.string().min(1).max(100) }).optional(),
  })
  .openapi("CreateJobRequest");
export type CreateJobBody = z.infer<typeof CreateJobBody>;

// a fresh instance: zod 4 attaches `.openapi` to schemas created after @hono/zod-openapi is loaded
export const JobSchema = jobObjectSchema.extend({}).openapi("Job");

export const JobEventSchema = z
  .object({
    id: z.string(),
    object: z.literal("job.event"),
    seq: z.number().int(),
    created_at: z.number().int(),
    level: z.enum(["info", "warn", "error"]),
    type: z.string(),
    step: z.number().int().nullable(),
    message: z.string(),
    data: z.record(z.string(), z.unknown()),
  })
  .openapi("JobEvent");

export const CheckpointSchema = z
  .object({
    id: z.string(),
    object: z.literal("checkpoint"),
    job_id: z.string(),
    step: z.number().int(),
    metrics: z.record(z.string(), z.number()),
    created_at: z.number().int(),
    adapter: z
      .object({
        withheld: z.boolean(),
        files: z.array(
          z.object({
            filename: z.string(),
            bytes: z.number().int(),
            sha256: z.string().nullable(),
            url: z.string().nullable(),
            url_expires_at: z.number().int().nullable(),
          }),
        ),
      })
      .nullable()
      .openapi({
        description:
          "The trained adapter (PEFT files) stored with the final checkpoint of a job whose evaluation failed after training; " +
          "null on other checkpoints. A withheld adapter (the job's gate could not be checked) has no download URLs.",
      }),
  })
  .openapi("Checkpoint");

export const ArtifactSchema = z
  .object({
    id: z.string(),
    object: z.literal("artifact"),
    job_id: z.string(),
    kind: z.string(),
    filename: z.string(),
    bytes: z.number().int(),
    sha256: z.string().nullable(),
    withheld: z.boolean(),
    created_at: z.number().int(),
    url: z.string().openapi({ description: "Presigned GET URL" }),
    url_expires_at: z.number().int(),
  })
  .openapi("Artifact");

export const listOf = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      object: z.literal("list"),
      data: z.array(item),
      has_more: z.boolean(),
      next_cursor: z.string().nullable(),
    })
    .openapi(name);

export const JobIdParam = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "ftjob_01j..." }),
});

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: z.string().max(100).optional().openapi({ description: "Cursor: the `next_cursor` of the previous page" }),
});
