import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import type { WebhookEndpoint } from "../../core/db/schema.ts";

/** After a rotation the previous secret keeps signing this long, so receivers can switch without a gap. */
export const SECRET_ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

/** `whsec_` + base64 of 32 random bytes: the Standard Webhooks secret format. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/** The secrets that sign right now: the current one, and the previous one during a rotation's overlap. */
export function signingSecrets(
  endpoint: Pick<WebhookEndpoint, "secret" | "previousSecret" | "previousSecretExpiresAt">,
  now: Date,
): string[] {
  const secrets = [endpoint.secret];
  if (endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now) {
    secrets.push(endpoint.previousSecret);
  }
  return secrets;
}

/**
 * The three Standard Webhooks headers. `webhook-id` is the event id, the same on every retry and replay,
 * so receivers can deduplicate; the timestamp is the attempt's; one `v1,` signature per active secret,
 * space-separated, so a receiver holding either secret verifies.
 */
export function webhookHeaders(
  msgId: string,
  body: string,
  secrets: readonly string[],
  now: Date,
): Record<string, string> {
  return {
    "content-type": "application/json",
    "user-agent": "guardtune-webhooks/1",
    "webhook-id": msgId,
    "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
    "webhook-signature": secrets.map((secret) => new Webhook(secret).sign(msgId, now, body)).join(" "),
  };
}
