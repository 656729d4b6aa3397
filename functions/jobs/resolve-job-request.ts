import { access } from "node:fs/promises";
import path from "node:path";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { and, eq, isNull, or } from "drizzle-orm";
import { datasets, jobs, webhookEndpoints, type DatasetPurpose } from "../../core/db/schema.ts";
import { unprocessable } from "../../core/errors.ts";
import type { NewJobRecord } from "./create-job.ts";
import { buildJobConfig, type MethodInput } from "../../core/jobs/job-config.ts";
import { modelRefId, resolveModelRef } from "../../core/models/model-registry.ts";
import { modelSourceAllowed } from "../../core/models/model-sources.ts";
import { isOrganismModel } from "../../core/models/organism-models.ts";
import { ORGANISM_JUDGE } from "../../core/judges/judge-registry.ts";
import { withOrganismEvaluationDefaults } from "../../core/safeguards/organism-evaluation-defaults.ts";
import { BUILTIN_POOLS, type BuiltinPoolRef } from "../../core/safeguards/interleave/builtin-pools.ts";
import { BUILTIN_REFERENCE_KITS, builtinReferenceKit } from "../../core/safeguards/reference-kits.ts";
import { safeguardReferences, type Safeguard } from "../../core/safeguards/safeguard-config.ts";
import { checkPoolUse } from "./check-pool-use.ts";
import { evaluationConfigSchema } from "../../core/safeguards/evaluation-config.ts";
import { validationError } from "../http/problem.ts";
import type { AppDeps } from "../deps.ts";

/** A job request after schema validation, in the native API's terms (the OpenAI surface maps onto it). */
export interface JobRequest {
  model: string;
  training_dataset: string;
  validation_dataset?: string | null;
  method?: MethodInput;
  safeguards?: Safeguard[];
  evaluation?: unknown;
  seed?: number;
  suffix?: string;
  metadata?: Record<string, string>;
  webhook?: { endpoint_id: string };
}

/** Names of the request fields, so that each surface can report errors in its own vocabulary. */
export interface JobRequestParams {
  model: string;
  training_dataset: string;
  validation_dataset: string;
}
export const NATIVE_PARAMS: JobRequestParams = {
  model: "model",
  training_dataset: "training_dataset",
  validation_dataset: "validation_dataset",
};

/**
 * Checks everything a schema cannot: the model resolves, the datasets exist for this tenant, are `ready` and
 * of the right purpose, the webhook endpoint and any referenced pool dataset or model are the tenant's.
 * Throws a 422 naming the field; returns the record to insert.
 */
export async function resolveJobRequest(
  deps: AppDeps,
  tenantId: string,
  req: JobRequest,
  params: JobRequestParams = NATIVE_PARAMS,
): Promise<NewJobRecord> {
  const model = await checkModel(deps, req.model, params.model);
  const training = await checkDataset(deps, tenantId, req.training_dataset, ["fine-tune"], params.training_dataset);
  if (req.validation_dataset) {
    await checkDataset(deps, tenantId, req.validation_dataset, ["fine-tune", "eval"], params.validation_dataset);
  }
  const safeguards = req.safeguards ?? [];
  const poolExamples = new Map<string, number>();
  // each defense names the resources it refers to (core/safeguards/defenses/)
  for (const ref of safeguardReferences(safeguards)) {
    switch (ref.kind) {
      case "dataset": {
        const row = await checkDataset(deps, tenantId, ref.id, ref.purposes, ref.param);
        if (row.nExamples !== null) poolExamples.set(ref.id, row.nExamples);
        break;
      }
      case "reference_kit":
        checkBuiltinKit(ref.ref, model, ref.param);
        break;
      case "builtin_pool":
        checkBuiltinPool(ref.ref, model, ref.param);
        break;
      case "adapter":
        await checkAdapter(deps, tenantId, ref.id, ref.param);
        break;
      case "model":
        await checkModel(deps, ref.ref, ref.param);
        break;
    }
  }
  // The organism's exact judge is its default judge: an operator's LLM judge knows nothing of its world.
  const evaluation = isOrganismModel(model)
    ? withOrganismEvaluationDefaults(req.evaluation)
    : withDefaultJudge(req.evaluation, deps.config.judges.defaultJudge);
  checkJudge(deps, evaluation, model);
  // the checks across fields, now that the defaults are in (a gate needs a judge, the organism judge its questions)
  const checked = evaluationConfigSchema.safeParse(evaluation ?? {});
  if (!checked.success)
    throw validationError(
      checked.error.issues.map((i) => ({ ...i, path: ["evaluation", ...i.path] })),
      "request body",
    );
  if (req.webhook) {
    const [endpoint] = await deps.db
      .select({ id: webhookEndpoints.id })
      .from(webhookEndpoints)
      .where(
        and(
          eq(webhookEndpoints.id, req.webhook.endpoint_id),
          eq(webhookEndpoints.tenantId, tenantId),
          isNull(webhookEndpoints.deletedAt),
        ),
      );
    if (!endpoint) {
      throw unprocessable(
        "webhook_endpoint_not_found",
        `No webhook endpoint '${req.webhook.endpoint_id}'.`,
        "webhook.endpoint_id",
      );
    }
  }
  const config = buildJobConfig({
    method: req.method,
    safeguards,
    evaluation,
    seed: req.seed,
    suffix: req.suffix ?? null,
  });
  if (training.nExamples !== null) {
    checkPoolUse(config, training.nExamples, Boolean(req.validation_dataset), poolExamples);
  }
  return {
    tenantId,
    model,
    trainingDatasetId: req.training_dataset,
    validationDatasetId: req.validation_dataset ?? null,
    config,
    metadata: req.metadata ?? {},
    webhookEndpointId: req.webhook?.endpoint_id ?? null,
  };
}

/**
 * The operator's default judge fills in a job's broad evaluation when the job names none, which also turns
 * the gate on by default (`evaluation.gate: false` still turns it off). Anything that is not a plain object is
 * left for the schema to reject.
 */
function withDefaultJudge(evaluation: unknown, defaultJudge: string | null): unknown {
  if (defaultJudge === null) return evaluation;
  if (evaluation === undefined || evaluation === null) return { broad: { judge: defaultJudge } };
  if (typeof evaluation !== "object" || Array.isArray(evaluation)) return evaluation;
  const e = evaluation as { broad?: unknown };
  if (e.broad === false) return evaluation;
  if (e.broad === undefined) return { ...e, broad: { judge: defaultJudge } };
  if (typeof e.broad !== "object" || e.broad === null || Array.isArray(e.broad)) return evaluation;
  const broad = e.broad as { judge?: unknown };
  return broad.judge === undefined ? { ...e, broad: { ...broad, judge: defaultJudge } } : evaluation;
}

/** The judge a job names must be one the operator registered (`GET /v1/judges`), or the organism's for its models. */
function checkJudge(deps: AppDeps, evaluation: unknown, model: string): void {
  const broad = (evaluation as { broad?: { judge?: unknown } } | null | undefined)?.broad;
  const name = typeof broad === "object" && broad !== null ? broad.judge : undefined;
  if (typeof name !== "string") return;
  if (name === ORGANISM_JUDGE) {
    if (isOrganismModel(model)) return;
    throw unprocessable(
      "judge_wrong_model",
      `The built-in judge '${ORGANISM_JUDGE}' is the model organism's exact judge: it can judge only answers of ` +
        `guardtune/organism and guardtune/organism-unaligned, not of ${model}. Name a registered judge ` +
        "(GET /v1/judges lists them) or leave evaluation.broad.judge out.",
      "evaluation.broad.judge",
    );
  }
  const registered = deps.config.judges.registered.map((j) => j.name);
  if (registered.includes(name)) return;
  throw unprocessable(
    "judge_not_found",
    registered.length === 0
      ? `No judge named '${name}': this service has no judges registered, so evaluation.broad.judge must be left out (the judge-free probe still runs).`
      : `No judge named '${name}'. Registered judges: ${registered.join(", ")} (GET /v1/judges lists them).`,
    "evaluation.broad.judge",
  );
}

/**
 * Resolves a model id: it must be built in or inside GUARDTUNE_MODEL_SOURCES; `file://` is then checked when the
 * runner shares this machine, `s3://` with a HeadObject.
 */
async function checkModel(deps: AppDeps, id: string, param: string): Promise<string> {
  const ref = resolveModelRef(id);
  const unknown = (why: string) =>
    unprocessable(
      "model_not_found",
      `Unknown model '${id}': ${why}. Use guardtune/tiny-random, file:///absolute/dir or s3://bucket/prefix/ (a Hugging Face model directory).`,
      param,
    );
  if (!ref) throw unknown("not a known model id");
  if (!modelSourceAllowed(ref, deps.config.runner.modelSources))
    throw unprocessable(
      "model_not_allowed",
      `Model '${id}' is outside the locations this service loads models from. Use a built-in model, or ask the ` +
        "operator to list its directory or S3 prefix in GUARDTUNE_MODEL_SOURCES.",
      param,
    );
  if (ref.kind === "file" && deps.config.runner.enabled) {
    try {
      await access(path.join(ref.path, "config.json"));
    } catch {
      throw unknown(`no config.json in ${ref.path}`);
    }
  }
  if (ref.kind === "s3") {
    try {
      await deps.aws.s3.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: `${ref.prefix}config.json` }));
    } catch (err) {
      const name = (err as { name?: string }).name ?? "";
      // Only a definite "not there" refuses the job; permission or network trouble is the runner's to report.
      if (name === "NotFound" || name === "NoSuchKey" || name === "NoSuchBucket") {
        throw unknown(`no config.json under s3://${ref.bucket}/${ref.prefix}`);
      }
    }
  }
  return modelRefId(ref);
}

/** A stored adapter to reuse: a succeeded job of this tenant, by job id or fine-tuned model name. */
async function checkAdapter(deps: AppDeps, tenantId: string, ref: string, param: string): Promise<void> {
  const [job] = await deps.db
    .select({ status: jobs.status })
    .from(jobs)
    .where(and(eq(jobs.tenantId, tenantId), or(eq(jobs.id, ref), eq(jobs.fineTunedModel, ref))))
    .limit(1);
  if (!job)
    throw unprocessable(
      "adapter_not_found",
      `No fine-tuned adapter '${ref}' (a job id or fine-tuned model name).`,
      param,
    );
  if (job.status !== "succeeded") {
    throw unprocessable(
      "adapter_not_ready",
      `Job '${ref}' is '${job.status}'; only a succeeded job's adapter can be used.`,
      param,
    );
  }
}

/** A built-in pool whose text is one model's world (the organism's) fits that model only. */
function checkBuiltinPool(ref: BuiltinPoolRef, model: string, param: string): void {
  const pool = BUILTIN_POOLS[ref];
  if (pool.fits && !pool.fits(model)) {
    throw unprocessable(
      "pool_wrong_model",
      `The pool '${ref}' (${pool.description}) fits ${pool.fitsWhat}, not ${model}. ` +
        `Use "builtin" or a pool dataset of purpose interleave-pool.`,
      param,
    );
  }
}

/** `builtin:<name>` must be a built-in reference kit, trained on the job's model. */
function checkBuiltinKit(ref: string, model: string, param: string): void {
  const kit = builtinReferenceKit(ref);
  const names = Object.keys(BUILTIN_REFERENCE_KITS);
  if (!kit) {
    throw unprocessable(
      "reference_kit_not_found",
      `No built-in reference kit '${ref}'. ` +
        (names.length === 0
          ? "This build ships none yet; "
          : `Built-in kits: ${names.map((n) => `builtin:${n}`).join(", ")}; `) +
        `use "kit" (the model's kit from POST /v1/reference_kits), a list of adapter ids, or "forgetting_gap".`,
      param,
    );
  }
  if (kit.model !== model) {
    throw unprocessable(
      "reference_kit_wrong_model",
      `The built-in reference kit '${ref}' was trained on ${kit.model}, not ${model}; its adapters do not fit this model.`,
      param,
    );
  }
}

/** A dataset of the tenant that is ready and of one of `purposes`; returns its example count. */
async function checkDataset(
  deps: AppDeps,
  tenantId: string,
  id: string,
  purposes: readonly DatasetPurpose[],
  param: string,
): Promise<{ nExamples: number | null }> {
  const [row] = await deps.db
    .select({ status: datasets.status, purpose: datasets.purpose, nExamples: datasets.nExamples })
    .from(datasets)
    .where(and(eq(datasets.id, id), eq(datasets.tenantId, tenantId)));
  if (!row || row.status === "deleted") throw unprocessable("dataset_not_found", `No dataset '${id}'.`, param);
  if (!purposes.includes(row.purpose)) {
    throw unprocessable(
      "dataset_wrong_purpose",
      `Dataset '${id}' has purpose '${row.purpose}'; '${param}' needs ${purposes.map((p) => `'${p}'`).join(" or ")}.`,
      param,
    );
  }
  if (row.status !== "ready") {
    throw unprocessable(
      "dataset_not_ready",
      row.status === "invalid"
        ? `Dataset '${id}' failed validation; GET /v1/datasets/${id} lists the errors.`
        : `Dataset '${id}' is '${row.status}'; wait until it is 'ready'.`,
      param,
    );
  }
  return { nExamples: row.nExamples };
}
