import { HeadBucketCommand } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../deps.ts";

const withTimeout = async (what: () => Promise<unknown>, ms = 3000): Promise<string | null> => {
  try {
    await Promise.race([
      what(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref()),
    ]);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
};

/** `/healthz`: the process is up. `/readyz`: the database, the bucket and every queue answer. */
export function healthRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    const signal = () => AbortSignal.timeout(3000);
    const checks: Record<string, () => Promise<unknown>> = {
      database: () => deps.pingDb(),
      bucket: () => deps.aws.s3.send(new HeadBucketCommand({ Bucket: deps.aws.bucket }), { abortSignal: signal() }),
      jobs_queue: () =>
        deps.aws.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: deps.aws.jobsQueueUrl, AttributeNames: ["QueueArn"] }),
          {
            abortSignal: signal(),
          },
        ),
      uploads_queue: () =>
        deps.aws.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: deps.aws.uploadsQueueUrl, AttributeNames: ["QueueArn"] }),
          { abortSignal: signal() },
        ),
    };
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => [name, await withTimeout(check)] as const),
    );
    const down = results.filter(([, err]) => err !== null);
    const body = {
      status: down.length === 0 ? "ready" : "not_ready",
      checks: Object.fromEntries(results.map(([name, err]) => [name, err === null ? "ok" : `down: ${err}`])),
    };
    if (down.length === 0) return c.json(body, 200);
    return c.body(
      JSON.stringify({
        type: "https://guardtune.dev/problems/not_ready",
        title: "Service Unavailable",
        code: "not_ready",
        param: null,
        detail: `Not ready: ${down.map(([name, err]) => `${name} (${err})`).join("; ")}`,
        ...body,
        status: 503,
        readiness: body.status,
      }),
      503,
      { "content-type": "application/problem+json" },
    );
  });
  return app;
}
