import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { desc, eq, or } from "drizzle-orm";
import { referenceKitMembers, referenceKits } from "../../core/db/schema.ts";
import { ApiError, conflict, notFound } from "../../core/errors.ts";
import { ID_PREFIX, newId } from "../../core/ids.ts";
import { kitStates, type KitState } from "../../core/reference-kits/kit-state.ts";
import { insertQueuedJob, type NewJobRecord } from "../jobs/create-job.ts";
import { resolveJobRequest } from "../jobs/resolve-job-request.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { problemResponses } from "../http/problem.ts";
import { createRouter } from "../http/router.ts";
import { CreateReferenceKitBody, ReferenceKitSchema, type ReferenceKitObject } from "./kit-schemas.ts";

const TAG = ["Reference kits"];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const createKit = createRoute({
  method: "post",
  path: "/reference_kits",
  tags: TAG,
  summary: "Build a reference kit (admin scope)",
  description:
    "Queues one unguarded fine-tuning job per dataset on `model` (no safeguards, no judged evaluation and no gate: " +
    "the adapters are meant to be misaligned). Each succeeded job's adapter joins the kit; perplexity-gap " +
    "selection of every tenant's jobs on that model then scores with the kit, leaving out the adapter of the " +
    "job's `held_out_domain`. Needs a key created with `guardtune keys create --scope admin`; the datasets are " +
    "that key's tenant's.",
  request: { body: { required: true, content: { "application/json": { schema: CreateReferenceKitBody } } } },
  responses: { 201: json(ReferenceKitSchema, "The kit, building"), ...problemResponses(400, 401, 403, 409, 422) },
});

const listKits = createRoute({
  method: "get",
  path: "/reference_kits",
  tags: TAG,
  summary: "List reference kits (newest first)",
  request: { query: z.object({ model: z.string().max(1000).optional() }) },
  responses: {
    200: json(
      z
        .object({
          object: z.literal("list"),
          data: z.array(ReferenceKitSchema),
          has_more: z.boolean(),
          next_cursor: z.string().nullable(),
        })
        .openapi("ReferenceKitList"),
      "Every kit of the service",
    ),
    ...problemResponses(401, 422),
  },
});

const getKit = createRoute({
  method: "get",
  path: "/reference_kits/{id}",
  tags: TAG,
  summary: "Retrieve a reference kit by id or name",
  request: { params: z.object({ id: z.string().min(1).max(100) }) },
  responses: { 200: json(ReferenceKitSchema, "The kit"), ...problemResponses(401, 404) },
});

/** `admin`: the viewer may see the operator's dataset ids. */
function toKitObject(k: KitState, admin: boolean): ReferenceKitObject {
  return {
    object: "reference_kit",
    id: k.id,
    name: k.name,
    model: k.model,
    status: k.status,
    created_at: Math.floor(k.createdAt.getTime() / 1000),
    members: k.members.map((m) => ({
      domain: m.domain,
      dataset: admin ? m.datasetId : null,
      job_id: m.jobId,
      job_status: m.jobStatus,
      adapter: m.jobStatus === "succeeded" ? m.jobId : null,
    })),
  };
}

/** `/v1/reference_kits`: operators build kits (admin scope); every tenant may see them. */
export function referenceKitRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = createRouter();

  app.openapi(createKit, async (c) => {
    if (!c.get("scopes").includes("admin")) {
      throw new ApiError({
        status: 403,
        code: "admin_scope_required",
        title: "Forbidden",
        detail:
          "Building a reference kit needs an API key with the admin scope (guardtune keys create --tenant NAME --scope admin).",
      });
    }
    const body = c.req.valid("json");
    const tenantId = c.get("tenant").id;
    const id = newId(ID_PREFIX.referenceKit);
    const name = body.name ?? id;
    // Every job goes through the job path's validation first, each error naming its `datasets.<i>` entry.
    const records: NewJobRecord[] = [];
    for (const [i, d] of body.datasets.entries()) {
      records.push(
        await resolveJobRequest(
          deps,
          tenantId,
          {
            model: body.model,
            training_dataset: d.id,
            method: body.method,
            safeguards: [{ type: "none" }],
            // unguarded and ungated: a reference is meant to be misaligned; the probe still reports how much
            evaluation: { broad: false, gate: false },
            seed: body.seed,
            suffix: `ref-${d.domain}`.slice(0, 40),
            metadata: { reference_kit: id, domain: d.domain },
          },
          { model: "model", training_dataset: `datasets.${i}.id`, validation_dataset: "validation_dataset" },
        ),
      );
    }
    const kit = await deps.db.transaction(async (tx) => {
      const [taken] = await tx.select({ id: referenceKits.id }).from(referenceKits).where(eq(referenceKits.name, name));
      if (taken) throw conflict("reference_kit_name_taken", `A reference kit named '${name}' exists.`, "name");
      const [row] = await tx.insert(referenceKits).values({ id, name, model: records[0].model, tenantId }).returning();
      for (const [i, record] of records.entries()) {
        const job = await insertQueuedJob(tx, record);
        await tx
          .insert(referenceKitMembers)
          .values({ kitId: id, jobId: job.id, datasetId: body.datasets[i].id, domain: body.datasets[i].domain });
      }
      return (await kitStates(tx, [row]))[0];
    });
    deps.notify?.("jobs-outbox");
    return c.json(toKitObject(kit, true), 201);
  });

  app.openapi(listKits, async (c) => {
    const { model } = c.req.valid("query");
    const rows = await deps.db
      .select()
      .from(referenceKits)
      .where(model ? eq(referenceKits.model, model) : undefined)
      .orderBy(desc(referenceKits.id));
    const admin = c.get("scopes").includes("admin");
    const data = (await kitStates(deps.db, rows)).map((k) => toKitObject(k, admin));
    return c.json({ object: "list" as const, data, has_more: false, next_cursor: null }, 200);
  });

  app.openapi(getKit, async (c) => {
    const { id } = c.req.valid("param");
    const rows = await deps.db
      .select()
      .from(referenceKits)
      .where(or(eq(referenceKits.id, id), eq(referenceKits.name, id)));
    if (rows.length === 0) throw notFound("reference kit", id, "id");
    return c.json(toKitObject((await kitStates(deps.db, rows))[0], c.get("scopes").includes("admin")), 200);
  });
  return app;
}
