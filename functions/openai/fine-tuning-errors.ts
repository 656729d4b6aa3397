import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../deps.ts";

/**
 * OpenAI clients read `error: { message, type, param, code }` from a failed response; problem+json keeps
 * its own members and gains that one as an extension, so both kinds of client understand the same body.
 */
export function openaiErrorShape(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    if (!c.res.headers.get("content-type")?.includes("application/problem+json")) return;
    const problem = (await c.res.clone().json()) as {
      status: number;
      detail: string;
      code: string;
      param: string | null;
    };
    const type =
      problem.status === 401
        ? "authentication_error"
        : problem.status >= 500
          ? "server_error"
          : "invalid_request_error";
    const body = { ...problem, error: { message: problem.detail, type, param: problem.param, code: problem.code } };
    c.res = new Response(JSON.stringify(body), { status: c.res.status, headers: c.res.headers });
  };
}
