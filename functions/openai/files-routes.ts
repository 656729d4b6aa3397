import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { DATASET_PURPOSES } from "../../core/db/schema.ts";
import { getTenantDataset, listTenantDatasets } from "../datasets/dataset-queries.ts";
import { deleteDataset } from "../datasets/delete-dataset.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { problemResponses } from "../http/problem.ts";
import { createRouter } from "../http/router.ts";
import { OpenAIFileSchema, toOpenAIFile } from "./files-object.ts";
import { FILE_VALIDATION_WAIT_MS, uploadFormFile, waitForValidation } from "./files-upload.ts";

const tags = ["OpenAI-compatible files"];
const json = <T>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const FileIdParam = z.object({
  file_id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "file_id", in: "path" } }),
});

const FileListSchema = z
  .object({
    object: z.literal("list"),
    data: z.array(OpenAIFileSchema),
    has_more: z.boolean(),
    next_cursor: z.string().nullable(),
    first_id: z.string().nullable(),
    last_id: z.string().nullable(),
  })
  .openapi("OpenAIFileList");

const listRoute = createRoute({
  method: "get",
  path: "/files",
  tags,
  summary: "List files (OpenAI-compatible), newest first",
  request: {
    query: z.object({
      limit: z.coerce.number().int().min(1).max(100).default(20),
      after: z.string().max(100).optional(),
      order: z.literal("desc").default("desc"),
      purpose: z.enum(DATASET_PURPOSES).optional(),
    }),
  },
  responses: { 200: json(FileListSchema, "A page of files"), ...problemResponses(401, 422) },
});
const getRoute = createRoute({
  method: "get",
  path: "/files/{file_id}",
  tags,
  summary: "Retrieve a file (OpenAI-compatible)",
  request: { params: FileIdParam },
  responses: { 200: json(OpenAIFileSchema, "The file"), ...problemResponses(401, 404) },
});
const deleteRoute = createRoute({
  method: "delete",
  path: "/files/{file_id}",
  tags,
  summary: "Delete a file (OpenAI-compatible)",
  request: { params: FileIdParam },
  responses: {
    200: json(z.object({ id: z.string(), object: z.literal("file"), deleted: z.literal(true) }), "Deleted"),
    ...problemResponses(401, 404, 409),
  },
});

/** `/v1/files`: OpenAI's Files API over the dataset records (ids are dataset ids). */
export function filesRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = createRouter();

  // Registered for the OpenAPI document only: the body is streamed by the handler, not parsed by a validator.
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/files",
    tags,
    summary: "Upload a file (OpenAI-compatible multipart form)",
    description: `Fields: 'file' (JSONL) and 'purpose' (${DATASET_PURPOSES.join(" | ")}). The file streams to the object store and is validated like a presigned upload; the response waits up to ${FILE_VALIDATION_WAIT_MS / 1000} s for validation (status 'processed' or 'error'), else returns 'uploaded'.`,
    request: {
      body: {
        required: true,
        content: {
          "multipart/form-data": {
            schema: z.object({ file: z.string().openapi({ format: "binary" }), purpose: z.enum(DATASET_PURPOSES) }),
          },
        },
      },
    },
    responses: { 200: json(OpenAIFileSchema, "The uploaded file"), ...problemResponses(400, 401, 413, 415, 422) },
  });
  app.post("/files", async (c) => {
    const row = await uploadFormFile(deps, c.get("tenant"), c.req.header("content-type"), c.req.raw.body);
    return c.json(toOpenAIFile(await waitForValidation(deps, row.id, FILE_VALIDATION_WAIT_MS)), 200);
  });

  app.openapi(listRoute, async (c) => {
    const q = c.req.valid("query");
    const page = await listTenantDatasets(deps.db, c.get("tenant").id, q);
    const data = page.rows.map(toOpenAIFile);
    return c.json(
      {
        object: "list" as const,
        data,
        has_more: page.hasMore,
        next_cursor: page.nextCursor,
        first_id: data[0]?.id ?? null,
        last_id: data.at(-1)?.id ?? null,
      },
      200,
    );
  });
  app.openapi(getRoute, async (c) => {
    const row = await getTenantDataset(deps.db, c.get("tenant").id, c.req.valid("param").file_id);
    return c.json(toOpenAIFile(row), 200);
  });
  app.openapi(deleteRoute, async (c) => {
    const id = c.req.valid("param").file_id;
    await deleteDataset(deps, c.get("tenant"), id);
    return c.json({ id, object: "file" as const, deleted: true as const }, 200);
  });
  return app;
}
