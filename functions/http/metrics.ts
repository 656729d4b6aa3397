import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { AppDeps, AppEnv } from "../deps.ts";

export interface HttpMetrics {
  registry: Registry;
  middleware: MiddlewareHandler<AppEnv>;
}

/** Per-app registry (not prom-client's global one) so that several apps can live in one process. */
export function createHttpMetrics(deps: AppDeps): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "guardtune_" });
  const requests = new Counter({
    name: "guardtune_http_requests_total",
    help: "HTTP requests by method, route and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: "guardtune_http_request_duration_seconds",
    help: "HTTP request latency by method and route",
    labelNames: ["method", "route"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const queues = { jobs: deps.aws.jobsQueueUrl, jobs_dlq: deps.aws.jobsDlqUrl, uploads: deps.aws.uploadsQueueUrl };
  new Gauge({
    name: "guardtune_queue_depth",
    help: "Approximate visible messages per queue (when the queue answers within 1 s)",
    labelNames: ["queue"] as const,
    registers: [registry],
    async collect() {
      await Promise.all(
        Object.entries(queues).map(async ([name, url]) => {
          if (!url) return;
          try {
            const out = await deps.aws.sqs.send(
              new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages"] }),
              { abortSignal: AbortSignal.timeout(1000) },
            );
            this.set({ queue: name }, Number(out.Attributes?.ApproximateNumberOfMessages ?? 0));
          } catch {
            // Unknown depth is left out rather than reported as zero.
          }
        }),
      );
    },
  });
  const middleware: MiddlewareHandler<AppEnv> = async (c, next) => {
    const start = performance.now();
    try {
      await next();
    } finally {
      // Unmatched paths share one label so that scanners cannot blow up the series count.
      const route = c.finalized && c.res.status !== 404 ? routePath(c) : "unmatched";
      requests.inc({ method: c.req.method, route, status: String(c.res.status) });
      latency.observe({ method: c.req.method, route }, (performance.now() - start) / 1000);
    }
  };
  return { registry, middleware };
}
