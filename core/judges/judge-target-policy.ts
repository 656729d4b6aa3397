import type { OutboundPolicy } from "../net/outbound-guard.ts";

/**
 * Where judges may be reached. The operator registers them, but a judge URL is still an outbound request
 * from a runner that holds secrets, so it passes the same guard as webhooks: private addresses only
 * through `GUARDTUNE_JUDGE_ALLOWLIST` (e.g. a vLLM server inside the VPC), http only in embedded mode or
 * with `GUARDTUNE_JUDGE_ALLOW_HTTP`.
 */
export function judgeTargetPolicy(config: {
  mode: "embedded" | "external";
  judges: { allowHttp: boolean; allowlist: readonly string[] };
}): OutboundPolicy {
  return {
    allowHttp: config.judges.allowHttp || config.mode === "embedded",
    allowlist: config.judges.allowlist,
    allowlistVariable: "GUARDTUNE_JUDGE_ALLOWLIST",
  };
}
