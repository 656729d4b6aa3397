import { isOrganismModel } from "../../core/models/organism-models.ts";
import { ORGANISM_JUDGE } from "../../core/judges/judge-registry.ts";
import { unprocessable } from "../../core/errors.ts";
import { evaluationConfigSchema } from "../../core/safeguards/evaluation-config.ts";
import { withOrganismEvaluationDefaults } from "../../core/safeguards/organism-evaluation-defaults.ts";
import type { AppDeps } from "../deps.ts";
import { validationError } from "../http/problem.ts";

/**
 * A job's `evaluation` as sent, with the model's defaults filled in — the organism's own evaluation on its
 * models (an operator's LLM judge knows nothing of its world), the operator's default judge on the others —
 * then checked: the judge it names, and the checks across fields that wait for the defaults (a gate needs a
 * judge, the organism judge its own questions). Throws a 422 naming the field; returns what the job stores.
 */
export function resolveJobEvaluation(deps: AppDeps, model: string, requested: unknown): unknown {
  const evaluation = isOrganismModel(model)
    ? withOrganismEvaluationDefaults(requested)
    : withDefaultJudge(requested, deps.config.judges.defaultJudge);
  checkJudge(deps, evaluation, model);
  const checked = evaluationConfigSchema.safeParse(evaluation ?? {});
  if (!checked.success)
    throw validationError(
      checked.error.issues.map((i) => ({ ...i, path: ["evaluation", ...i.path] })),
      "request body",
    );
  return evaluation;
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
