import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../deps.ts";
import { validationError } from "./problem.ts";

const WHERE: Record<string, string> = {
  json: "request body",
  form: "form body",
  query: "query parameters",
  param: "path parameters",
  header: "headers",
  cookie: "cookies",
};

/** An OpenAPI router whose request-validation failures become one 422 problem naming the field. */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw validationError(result.error.issues, WHERE[(result as { target?: string }).target ?? ""] ?? "request");
      }
      return undefined;
    },
  });
}
