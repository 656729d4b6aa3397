import { z } from "@hono/zod-openapi";
import { DATASET_PURPOSES, DATASET_STATUSES } from "../../core/db/schema.ts";
import { MODEL_CLASS_TOKENS_PER_SECOND, type ModelClass } from "./training-estimate.ts";
import {
  DATASET_ERROR_CODES,
  ERROR_CODES,
  WARNING_CODES,
  type ErrorCode,
  type WarningCode,
} from "../../core/datasets/validation-codes.ts";

/** Filenames become the last segment of the object key: keep them to a safe, printable set. */
export const FILENAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._ -]{0,199}$/;

export const CreateDatasetBody = z
  .object({
    filename: z
      .string()
      .regex(
        FILENAME_PATTERN,
        "must be 1-200 letters, digits, '.', '_', '-' or spaces, starting with a letter or digit",
      )
      .openapi({ example: "train.jsonl" }),
    purpose: z.enum(DATASET_PURPOSES).openapi({ example: "fine-tune" }),
    bytes: z
      .number()
      .int()
      .positive()
      .openapi({ description: "Exact size of the file in bytes; the upload must match it.", example: 104857 }),
    sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, "must be 64 hex digits")
      .optional()
      .openapi({ description: "Hex SHA-256 of the file; when given, the store (and the validator) check it." }),
  })
  .openapi("CreateDatasetRequest");

/** Stable codes, documented in the OpenAPI schema with what each one means. */
const codeEnum = <T extends string>(codes: Record<T, string>) =>
  z.enum(Object.keys(codes) as [T, ...T[]]).openapi({
    description: (Object.entries(codes) as Array<[string, string]>)
      .map(([code, meaning]) => `- \`${code}\`: ${meaning}`)
      .join("\n"),
  });
const issue = <T extends string>(codes: Record<T, string>) =>
  z.object({
    line: z.number().int().nullable().openapi({ description: "1-based line; null for file-level errors" }),
    field: z.string().openapi({ description: "JSON Pointer into the line, e.g. /messages/2/role" }),
    code: codeEnum(codes),
    message: z.string(),
    hint: z.string(),
  });

const counts = <T extends string>(codes: Record<T, string>) => z.partialRecord(codeEnum(codes), z.number().int());

const modelClassSeconds = z
  .object(
    Object.fromEntries(Object.keys(MODEL_CLASS_TOKENS_PER_SECOND).map((k) => [k, z.number()])) as Record<
      ModelClass,
      z.ZodNumber
    >,
  )
  .openapi({ description: "Planning estimate of one epoch, in seconds, per model class" });

export const DatasetReportSchema = z
  .object({
    n_examples: z.number().int(),
    n_errors: z.number().int(),
    n_warnings: z.number().int(),
    format: z.enum(["chat", "prompt_completion", "alpaca", "mixed"]).nullable(),
    errors: z.array(issue<ErrorCode>(ERROR_CODES)),
    warnings: z.array(issue<WarningCode>(WARNING_CODES)),
    error_counts: counts<ErrorCode>(ERROR_CODES),
    warning_counts: counts<WarningCode>(WARNING_CODES),
    stats: z.object({
      bytes: z.number().int(),
      sha256: z.string(),
      lines: z.number().int(),
      blank_lines: z.number().int(),
      invalid_examples: z.number().int(),
      formats: z.object({ chat: z.number().int(), prompt_completion: z.number().int(), alpaca: z.number().int() }),
      messages_by_role: z.object({ system: z.number().int(), user: z.number().int(), assistant: z.number().int() }),
      characters: z.object({
        total: z.number().int(),
        assistant: z.number().int(),
        per_example_min: z.number().int(),
        per_example_max: z.number().int(),
        per_example_mean: z.number().int(),
      }),
      estimated_tokens: z.object({
        total: z.number().int(),
        assistant: z.number().int(),
        method: z.literal("characters/4"),
      }),
      duplicates: z.number().int(),
      estimated_training_seconds_per_epoch: modelClassSeconds,
    }),
  })
  .openapi("DatasetReport");

export const DatasetSchema = z
  .object({
    id: z.string().openapi({ example: "file_01jd2x3y4z5a6b7c8d9e0f1g2h" }),
    object: z.literal("dataset"),
    filename: z.string(),
    purpose: z.enum(DATASET_PURPOSES),
    status: z.enum(DATASET_STATUSES),
    bytes: z.number().int(),
    sha256: z.string().nullable(),
    created_at: z.number().int(),
    updated_at: z.number().int(),
    validated_at: z.number().int().nullable(),
    n_examples: z.number().int().nullable(),
    error: z
      .object({
        code: z.string().openapi({
          description: Object.entries(DATASET_ERROR_CODES)
            .map(([code, meaning]) => `- \`${code}\`: ${meaning}`)
            .join("\n"),
        }),
        message: z.string(),
      })
      .nullable(),
    report: DatasetReportSchema.nullable(),
  })
  .openapi("Dataset");

export const PutUploadSchema = z.object({
  method: z.literal("PUT"),
  url: z.string(),
  headers: z.record(z.string(), z.string()).openapi({ description: "Send exactly these headers with the PUT" }),
  expires_at: z.number().int(),
});
export const MultipartUploadSchema = z.object({
  method: z.literal("MULTIPART"),
  part_size: z.number().int(),
  parts: z.array(z.object({ number: z.number().int(), url: z.string(), bytes: z.number().int() })),
  complete_url: z.string(),
  expires_at: z.number().int(),
});
export const PostUploadSchema = z.object({
  method: z.literal("POST"),
  url: z.string(),
  fields: z.record(z.string(), z.string()).openapi({ description: "Form fields to send before the file field" }),
  expires_at: z.number().int(),
});
export const UploadSchema = z
  .discriminatedUnion("method", [PutUploadSchema, MultipartUploadSchema, PostUploadSchema])
  .openapi("DatasetUpload");

export const CreateDatasetResponse = z
  .object({ dataset: DatasetSchema, upload: UploadSchema })
  .openapi("CreateDatasetResponse");

export const CompleteUploadBody = z
  .object({
    parts: z
      .array(z.object({ number: z.number().int().min(1).max(10000), etag: z.string().min(1) }))
      .min(1)
      .optional()
      .openapi({ description: "Multipart uploads: every part's number and the ETag its PUT returned" }),
  })
  .openapi("CompleteDatasetUploadRequest");

export const DatasetIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "id", in: "path" } }),
});

export const ListDatasetsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: z.string().max(100).optional().openapi({ description: "The next_cursor of the previous page" }),
  purpose: z.enum(DATASET_PURPOSES).optional(),
  status: z.enum(DATASET_STATUSES).optional(),
});

export const DatasetListSchema = z
  .object({
    object: z.literal("list"),
    data: z.array(DatasetSchema),
    has_more: z.boolean(),
    next_cursor: z.string().nullable(),
  })
  .openapi("DatasetList");

export const DeletedDatasetSchema = z
  .object({ id: z.string(), object: z.literal("dataset"), deleted: z.literal(true) })
  .openapi("DeletedDataset");
