import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppDeps, AppEnv } from "../deps.ts";
import { problemResponses } from "../http/problem.ts";
import { createRouter } from "../http/router.ts";

/** What tenants may know of a judge: the name to put in a job and the model behind it, never where or how. */
export const JudgeSchema = z
  .object({
    object: z.literal("judge"),
    name: z.string().openapi({ example: "gpt-4o" }),
    model: z.string().openapi({ example: "gpt-4o-2024-08-06" }),
  })
  .openapi("Judge");

const listJudges = createRoute({
  method: "get",
  path: "/judges",
  tags: ["Jobs"],
  summary: "List the judges jobs may name in evaluation.broad.judge",
  description:
    "Judges are registered by the operator (`GUARDTUNE_JUDGES`); a job refers to one by `name`. Their URLs and keys stay on the service.",
  responses: {
    200: {
      description: "The registered judges",
      content: {
        "application/json": {
          schema: z
            .object({
              object: z.literal("list"),
              data: z.array(JudgeSchema),
              has_more: z.boolean(),
              next_cursor: z.string().nullable(),
            })
            .openapi("JudgeList"),
        },
      },
    },
    ...problemResponses(401),
  },
});

export function judgeRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = createRouter();
  app.openapi(listJudges, (c) =>
    c.json(
      {
        object: "list" as const,
        data: deps.config.judges.registered.map((j) => ({ object: "judge" as const, name: j.name, model: j.model })),
        has_more: false,
        next_cursor: null,
      },
      200,
    ),
  );
  return app;
}
