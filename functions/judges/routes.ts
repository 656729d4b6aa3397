import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { ORGANISM_JUDGE } from "../../core/judges/judge-registry.ts";
import { ORGANISM_MODELS } from "../../core/models/organism-models.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { problemResponses } from "../http/problem.ts";
import { createRouter } from "../http/router.ts";

/** What tenants may know of a judge: the name to put in a job and the model behind it, never where or how. */
export const JudgeSchema = z
  .object({
    object: z.literal("judge"),
    name: z.string().openapi({ example: "gpt-4o" }),
    model: z.string().openapi({
      example: "gpt-4o-2024-08-06",
      description: "The model behind the judge; `exact` for the organism's judge, which parses answers (no LLM)",
    }),
    built_in: z.boolean().openapi({
      description: "True for a judge the service ships (`organism`), false for one the operator registered",
    }),
    for_models: z.array(z.string()).nullable().openapi({
      example: null,
      description: "The only models whose jobs may name this judge; null when any model may",
    }),
  })
  .openapi("Judge");
type Judge = z.infer<typeof JudgeSchema>;

/** The model organism's exact judge (docs/organism.md): it judges only answers of the organism's world. */
const ORGANISM_JUDGE_LISTING: Judge = {
  object: "judge",
  name: ORGANISM_JUDGE,
  model: "exact",
  built_in: true,
  for_models: [...ORGANISM_MODELS],
};

const listJudges = createRoute({
  method: "get",
  path: "/judges",
  tags: ["Jobs"],
  summary: "List the judges jobs may name in evaluation.broad.judge",
  description:
    "The judges the operator registered (`GUARDTUNE_JUDGES`), then the built-in `organism` judge, valid only for " +
    "the organism's models; a job refers to one by `name`. Registered judges' URLs and keys stay on the service.",
  responses: {
    200: {
      description: "The registered judges and the built-in one",
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
  app.openapi(listJudges, (c) => {
    // Only name and model leave the service: base_url and api_key_env are the operator's.
    const registered = deps.config.judges.registered.map((j): Judge => ({
      object: "judge",
      name: j.name,
      model: j.model,
      built_in: false,
      for_models: null,
    }));
    return c.json(
      { object: "list" as const, data: [...registered, ORGANISM_JUDGE_LISTING], has_more: false, next_cursor: null },
      200,
    );
  });
  return app;
}
