import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "@hono/zod-openapi";
import { ApiError } from "../../core/errors.ts";

/** RFC 9457 problem details: the one error shape of every HTTP failure. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    param: z.string().nullable(),
    instance: z.string().optional(),
    errors: z.array(z.object({ param: z.string(), message: z.string(), code: z.string() })).optional(),
  })
  .openapi("Problem");
export type Problem = z.infer<typeof ProblemSchema>;

export const PROBLEM_TYPE_BASE = "https://guardtune.dev/problems/";

export function problemBody(err: ApiError, instance?: string): Problem {
  return {
    type: PROBLEM_TYPE_BASE + err.code,
    title: err.title,
    status: err.status,
    detail: err.message,
    code: err.code,
    param: err.param ?? null,
    ...(instance ? { instance } : {}),
    ...(err.extra ?? {}),
  };
}

export function problemResponse(c: Context, err: ApiError, headers: Record<string, string> = {}): Response {
  return c.body(JSON.stringify(problemBody(err, c.req.path)), err.status as ContentfulStatusCode, {
    "content-type": "application/problem+json",
    ...headers,
  });
}

/** The JSON Pointer-ish dotted path OpenAI clients expect in `param` (e.g. `method.hyperparameters.n_epochs`). */
export function paramOf(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => String(p)).join(".");
}

/**
 * A union (e.g. `false` or a section object) reports only "Invalid input" at its own path; the branch whose
 * issues reach deepest is the one the client meant, so its issues name the field that is actually wrong.
 */
function unionBranchIssues(issues: ReadonlyArray<z.core.$ZodIssue>): z.core.$ZodIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== "invalid_union" || issue.errors.length === 0) return [issue];
    const depth = (branch: readonly z.core.$ZodIssue[]) => Math.max(0, ...branch.map((i) => i.path.length));
    const best = issue.errors.reduce((a, b) => (depth(b) > depth(a) ? b : a));
    if (depth(best) === 0) return [issue];
    return unionBranchIssues(best.map((i) => ({ ...i, path: [...issue.path, ...i.path] })));
  });
}

/** Turns zod issues into one 422 naming the first bad field (and listing the rest). */
export function validationError(rawIssues: ReadonlyArray<z.core.$ZodIssue>, where: string): ApiError {
  const issues = unionBranchIssues(rawIssues);
  const errors = issues.map((i) => ({ param: paramOf(i.path), message: i.message, code: i.code }));
  const first = errors[0];
  const detail = first
    ? `Invalid ${where}: ${first.param ? `'${first.param}' ` : ""}${first.message}` +
      (errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? "s" : ""})` : "")
    : `Invalid ${where}.`;
  return new ApiError({
    status: 422,
    code: "invalid_request",
    title: "Unprocessable Content",
    detail,
    param: first?.param || undefined,
    extra: { errors },
  });
}

export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: "Problem details", content: { "application/problem+json": { schema: ProblemSchema } } },
    ]),
  );
