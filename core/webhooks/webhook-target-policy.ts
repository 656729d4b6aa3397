import type { Config } from "../config/load-config.ts";
import type { OutboundPolicy } from "../net/outbound-guard.ts";

/**
 * Where webhooks may go: receivers are URLs typed in by tenants, so they pass the shared outbound guard.
 * Plain http is fine in embedded mode (local development) or when the operator allows it.
 */
export function webhookTargetPolicy(config: Pick<Config, "mode" | "webhooks">): OutboundPolicy {
  return {
    allowHttp: config.webhooks.allowHttp || config.mode === "embedded",
    allowlist: config.webhooks.allowlist,
    allowlistVariable: "GUARDTUNE_WEBHOOK_ALLOWLIST",
  };
}
