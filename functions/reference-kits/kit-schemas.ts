import { z } from "@hono/zod-openapi";
import { methodSchema, seedSchema } from "../../core/jobs/job-config.ts";
import { domainName } from "../../core/safeguards/reference-kits.ts";

/** At most this many adapters per kit (a job's `misaligned_references` ensemble holds up to 8 adapters). */
export const MAX_KIT_DATASETS = 16;

export const CreateReferenceKitBody = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[a-z0-9][a-z0-9_.-]*$/, "must be lower-case letters, digits, '_', '.' or '-'")
      .optional()
      .openapi({ description: "A unique name; defaults to the kit's id.", example: "qwen2.5-0.5b-em" }),
    model: z.string().min(1).max(1000).openapi({
      description: "The base model the adapters are trained on (as in `POST /v1/jobs`).",
      example: "file:///models/Qwen2.5-0.5B-Instruct",
    }),
    datasets: z
      .array(
        z.strictObject({
          id: z.string().min(1).max(100).openapi({ description: "A `ready` dataset of purpose `fine-tune`." }),
          domain: z.string().pipe(domainName).openapi({
            description:
              "The EM domain of the dataset (`code`, `medical`, `legal`, …): a job of that domain leaves it out.",
            example: "medical",
          }),
        }),
      )
      .min(1)
      .max(MAX_KIT_DATASETS)
      .refine((d) => new Set(d.map((x) => x.id)).size === d.length, "a dataset appears twice"),
    method: methodSchema.optional().openapi({ description: "Hyper-parameters of the unguarded runs (job defaults)." }),
    seed: seedSchema.optional(),
  })
  .openapi("CreateReferenceKitRequest");

export const ReferenceKitSchema = z
  .object({
    object: z.literal("reference_kit"),
    id: z.string(),
    name: z.string(),
    model: z.string(),
    status: z.enum(["building", "ready", "failed"]).openapi({
      description: "`building` while a job runs; `ready` once every job ended and at least one succeeded.",
    }),
    created_at: z.number().int(),
    members: z.array(
      z.object({
        domain: z.string(),
        dataset: z
          .string()
          .nullable()
          .openapi({ description: "The training dataset (the operator's): shown to admin-scoped keys only." }),
        job_id: z.string(),
        job_status: z.string(),
        adapter: z
          .string()
          .nullable()
          .openapi({ description: "The adapter (the job id) once the job succeeded; null before or after a failure." }),
      }),
    ),
  })
  .openapi("ReferenceKit");
export type ReferenceKitObject = z.infer<typeof ReferenceKitSchema>;
