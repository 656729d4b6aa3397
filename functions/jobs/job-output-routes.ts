import { GetObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AwsResources } from "../../core/aws/resources.ts";
import type { Artifact, Checkpoint } from "../../core/db/schema.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { problemResponses } from "../http/problem.ts";
import { createRouter } from "../http/router.ts";
import { listJobArtifacts, listJobCheckpoints, loadTenantJob } from "./job-queries.ts";
import { ArtifactSchema, CheckpointSchema, JobIdParam, listOf, PageQuery } from "./job-schemas.ts";
import { pageOf, toArtifactObject, toCheckpointObject, type CheckpointAdapterFile } from "./job-views.ts";

/** Artifact download links last this long. */
export const ARTIFACT_URL_TTL_S = 15 * 60;

const listCheckpoints = createRoute({
  method: "get",
  path: "/jobs/{id}/checkpoints",
  tags: ["Jobs"],
  summary: "List a job's complete checkpoints (newest step first)",
  request: { params: JobIdParam, query: PageQuery },
  responses: {
    200: {
      description: "A page of checkpoints",
      content: { "application/json": { schema: listOf(CheckpointSchema, "CheckpointList") } },
    },
    ...problemResponses(401, 404, 422),
  },
});

const listArtifacts = createRoute({
  method: "get",
  path: "/jobs/{id}/artifacts",
  tags: ["Jobs"],
  summary: "List a job's artifacts with presigned download URLs",
  description:
    "The PEFT adapter, metrics and evaluation report. An adapter withheld by the misalignment gate is listed " +
    "only with `include_withheld=true`.",
  request: {
    params: JobIdParam,
    query: z.object({
      include_withheld: z
        .enum(["true", "false"])
        .optional()
        .transform((s) => s === "true"),
    }),
  },
  responses: {
    200: {
      description: "The artifacts",
      content: { "application/json": { schema: listOf(ArtifactSchema, "ArtifactList") } },
    },
    ...problemResponses(401, 404),
  },
});

/** The job output routes: checkpoints and artifacts, with presigned download URLs. */
export function jobOutputRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = createRouter();
  app.openapi(listCheckpoints, async (c) => {
    const q = c.req.valid("query");
    const job = await loadTenantJob(deps.db, c.get("tenant").id, c.req.valid("param").id);
    const rows = await listJobCheckpoints(deps.db, job.id, q.limit, q.after);
    const adapters = await checkpointAdapters(deps.aws, await listJobArtifacts(deps.db, job.id, true), rows);
    return c.json(
      pageOf(
        rows,
        q.limit,
        (r) => toCheckpointObject(r, adapters.get(r.id) ?? null),
        (r) => r.id,
      ),
      200,
    );
  });
  app.openapi(listArtifacts, async (c) => {
    const job = await loadTenantJob(deps.db, c.get("tenant").id, c.req.valid("param").id);
    const rows = await listJobArtifacts(deps.db, job.id, c.req.valid("query").include_withheld);
    const data = await Promise.all(rows.map((a) => presignArtifact(deps.aws, a)));
    return c.json({ object: "list" as const, data, has_more: false, next_cursor: null }, 200);
  });
  return app;
}

/**
 * Adapters stored with a checkpoint (`<checkpoint>/adapter/…`) and recorded as artifacts when the job's
 * evaluation failed after training: keyed by checkpoint id, with download URLs unless withheld.
 */
async function checkpointAdapters(
  aws: AwsResources,
  recorded: readonly Artifact[],
  rows: readonly Checkpoint[],
): Promise<Map<string, { withheld: boolean; files: CheckpointAdapterFile[] }>> {
  const out = new Map<string, { withheld: boolean; files: CheckpointAdapterFile[] }>();
  for (const row of rows) {
    const files = recorded.filter((a) => a.kind === "adapter" && a.objectKey.startsWith(`${row.objectPrefix}adapter/`));
    if (files.length === 0) continue;
    const withheld = files.some((f) => f.withheld !== 0);
    out.set(row.id, {
      withheld,
      files: await Promise.all(
        files.map(async (f) => {
          const link = withheld ? null : await presignArtifact(aws, f);
          return {
            filename: f.filename,
            bytes: f.bytes,
            sha256: f.sha256 ?? null,
            url: link?.url ?? null,
            url_expires_at: link?.url_expires_at ?? null,
          };
        }),
      ),
    });
  }
  return out;
}

/** A presigned GET URL (and its expiry) for an artifact's object. */
export async function presignArtifact(aws: AwsResources, a: Artifact) {
  const url = await getSignedUrl(aws.s3, new GetObjectCommand({ Bucket: aws.bucket, Key: a.objectKey }), {
    expiresIn: ARTIFACT_URL_TTL_S,
  });
  return toArtifactObject(a, url, Math.floor(Date.now() / 1000) + ARTIFACT_URL_TTL_S);
}
