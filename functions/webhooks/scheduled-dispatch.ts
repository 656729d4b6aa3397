import type { AppDeps } from "../deps.ts";
import {
  createWebhookDispatcher,
  emptyDispatchSummary,
  type DispatchSummary,
  type WebhookDispatcherOptions,
} from "./dispatcher.ts";

/**
 * The dispatcher as a scheduled function (e.g. invoked every minute): polls like the embedded loop for
 * `budgetMs`, so short retries (5 s) still go out on time, then returns what it did. Several invocations
 * may overlap; claims keep them from sending the same attempt twice. Keep the budget below the
 * function's own timeout minus the send timeout.
 */
export async function dispatchWebhooksFor(
  deps: Pick<AppDeps, "db" | "config" | "logger">,
  budgetMs: number,
  opts: Partial<WebhookDispatcherOptions> = {},
): Promise<DispatchSummary> {
  const dispatcher = createWebhookDispatcher({ db: deps.db, config: deps.config, logger: deps.logger, ...opts });
  const total = emptyDispatchSummary();
  const deadline = Date.now() + budgetMs;
  const pollMs = deps.config.webhooks.pollIntervalMs;
  for (;;) {
    const s = await dispatcher.runOnce();
    for (const key of ["fannedOut", "attempted", "succeeded", "retrying", "failed", "unrecorded"] as const)
      total[key] += s[key];
    total.more = s.more;
    if (s.more && Date.now() < deadline) continue;
    if (Date.now() + pollMs >= deadline) return total;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
