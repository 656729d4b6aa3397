import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { toDatasetObject } from "./dataset-object.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { problemResponses } from "../http/problem.ts";
import { createRouter } from "../http/router.ts";
import { completeUpload } from "./complete-upload.ts";
import { createDataset } from "./create-dataset.ts";
import { getTenantDataset, listTenantDatasets } from "./dataset-queries.ts";
import { deleteDataset } from "./delete-dataset.ts";
import {
  CompleteUploadBody,
  CreateDatasetBody,
  CreateDatasetResponse,
  DatasetIdParam,
  DatasetListSchema,
  DatasetSchema,
  DeletedDatasetSchema,
  ListDatasetsQuery,
  type DatasetReportSchema,
} from "./schemas.ts";
import type { z } from "@hono/zod-openapi";

const tags = ["Datasets"];
const json = <T>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });

const createDatasetRoute = createRoute({
  method: "post",
  path: "/datasets",
  tags,
  summary: "Register a dataset and get a presigned upload",
  description:
    "Returns a presigned PUT (or, above the multipart threshold, one presigned URL per part). After uploading, call POST /v1/datasets/{id}/complete; the file is then validated and the dataset becomes `ready` or `invalid`.",
  request: { body: { required: true, content: { "application/json": { schema: CreateDatasetBody } } } },
  responses: {
    201: json(CreateDatasetResponse, "Dataset created, awaiting its upload"),
    ...problemResponses(401, 413, 422),
  },
});

const completeRoute = createRoute({
  method: "post",
  path: "/datasets/{id}/complete",
  tags,
  summary: "Signal that the upload finished; validation starts",
  request: {
    params: DatasetIdParam,
    body: { required: false, content: { "application/json": { schema: CompleteUploadBody } } },
  },
  responses: {
    202: json(DatasetSchema, "Upload accepted; validation is queued"),
    ...problemResponses(401, 404, 409, 422),
  },
});

const listRoute = createRoute({
  method: "get",
  path: "/datasets",
  tags,
  summary: "List datasets, newest first",
  request: { query: ListDatasetsQuery },
  responses: { 200: json(DatasetListSchema, "A page of datasets"), ...problemResponses(401, 422) },
});

const getRoute = createRoute({
  method: "get",
  path: "/datasets/{id}",
  tags,
  summary: "Get a dataset with its validation report",
  request: { params: DatasetIdParam },
  responses: { 200: json(DatasetSchema, "The dataset"), ...problemResponses(401, 404) },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/datasets/{id}",
  tags,
  summary: "Delete a dataset and its file",
  description: "Refused with 409 while a job that is not finished uses the dataset.",
  request: { params: DatasetIdParam },
  responses: { 200: json(DeletedDatasetSchema, "Deleted"), ...problemResponses(401, 404, 409) },
});

/** The report column holds what the validator wrote; the schema documents it. */
type Report = z.infer<typeof DatasetReportSchema>;
const publicDataset = (row: Parameters<typeof toDatasetObject>[0]) => {
  const o = toDatasetObject(row);
  return { ...o, report: o.report as Report | null };
};

/** The base URL clients reached us at, for absolute links in responses. */
const baseUrl = (url: string) => new URL(url).origin;

/** The `/v1/datasets` routes: create with a presigned upload, complete, list, get, delete. */
export function datasetRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = createRouter();
  app.openapi(createDatasetRoute, async (c) => {
    const created = await createDataset(deps, c.get("tenant"), c.req.valid("json"), baseUrl(c.req.url));
    return c.json({ dataset: { ...created.dataset, report: null }, upload: created.upload }, 201);
  });
  app.openapi(completeRoute, async (c) => {
    const { id } = c.req.valid("param");
    // The body is optional (single PUT uploads need none); when sent, it was validated against the schema.
    const body = c.req.valid("json") ?? {};
    const row = await completeUpload(deps, c.get("tenant"), id, body.parts);
    return c.json(publicDataset(row), 202);
  });
  app.openapi(listRoute, async (c) => {
    const q = c.req.valid("query");
    const page = await listTenantDatasets(deps.db, c.get("tenant").id, q);
    return c.json(
      {
        object: "list" as const,
        data: page.rows.map(publicDataset),
        has_more: page.hasMore,
        next_cursor: page.nextCursor,
      },
      200,
    );
  });
  app.openapi(getRoute, async (c) => {
    const row = await getTenantDataset(deps.db, c.get("tenant").id, c.req.valid("param").id);
    return c.json(publicDataset(row), 200);
  });
  app.openapi(deleteRoute, async (c) => {
    const { id } = c.req.valid("param");
    await deleteDataset(deps, c.get("tenant"), id);
    return c.json({ id, object: "dataset" as const, deleted: true as const }, 200);
  });
  return app;
}
