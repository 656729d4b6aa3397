/**
 * The demo's webhook receiver: a local HTTP server registered as the tenant's webhook endpoint, which verifies
 * every request's Standard Webhooks signature (HMAC-SHA256 of `id.timestamp.body` with the endpoint's secret,
 * functions/webhooks/README.md) with the reference `standardwebhooks` client, as a receiver should.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import type { ApiClient } from "./demo-support.ts";
import { readRequest } from "../../core/net/read-request.ts";

export interface WebhookEvent {
  readonly id: string;
  readonly type: string;
  readonly created_at: number;
  readonly data: Record<string, unknown>;
}

/** One request the receiver got: the verified event, or why verification failed. */
export type ReceivedWebhook =
  | { readonly verified: true; readonly event: WebhookEvent }
  | { readonly verified: false; readonly webhookId: string | undefined; readonly error: string };

/**
 * Verifies a request body against its `webhook-*` headers with the endpoint's secret; throws when the
 * signature does not match (a tampered body, another secret) or the timestamp is more than 5 minutes off.
 */
export function verifyWebhook(secret: string, body: string, headers: Record<string, string>): WebhookEvent {
  return new Webhook(secret).verify(body, headers) as WebhookEvent;
}

export interface DemoReceiver {
  readonly url: string;
  readonly received: readonly ReceivedWebhook[];
  /** Sets the secret to verify with (known only once the endpoint is registered). */
  useSecret(secret: string): void;
  /** Resolves once `done(received)` holds, or after `timeoutMs` (the caller reports what arrived). */
  waitUntil(done: (received: readonly ReceivedWebhook[]) => boolean, timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Starts the receiver on a loopback port. Verified requests get 204; the others 401 (and are retried). */
export async function startDemoReceiver(): Promise<DemoReceiver> {
  const received: ReceivedWebhook[] = [];
  let secret: string | undefined;
  const server = http.createServer((req, res) => {
    void readRequest(req).then(({ headers, body }) => {
      try {
        if (secret === undefined) throw new Error("no secret yet: the endpoint is not registered");
        received.push({ verified: true, event: verifyWebhook(secret, body, headers) });
        res.writeHead(204).end();
      } catch (err) {
        received.push({ verified: false, webhookId: headers["webhook-id"], error: (err as Error).message });
        res.writeHead(401).end();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/guardtune`,
    received,
    useSecret: (s) => void (secret = s),
    async waitUntil(done, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!done(received)) {
        if (Date.now() > deadline) return false;
        await new Promise((r) => setTimeout(r, 100));
      }
      return true;
    },
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** Registers the receiver as the tenant's endpoint for every event type and hands it the signing secret. */
export async function registerReceiver(api: ApiClient, receiver: DemoReceiver): Promise<string> {
  const endpoint = await api.call<{ id: string; secret: string }>("POST", "/v1/webhook_endpoints", {
    url: receiver.url,
    events: ["*"],
    description: "guardtune demo receiver",
  });
  receiver.useSecret(endpoint.secret);
  return endpoint.id;
}

/** One line per received request: verified or not, the event type and the object's id and status. */
export function webhookLogLines(received: readonly ReceivedWebhook[]): string[] {
  return received.map((r) => {
    if (!r.verified) return `✗ rejected ${r.webhookId ?? "(no webhook-id)"}: ${r.error}`;
    const d = r.event.data;
    const error = d.error as { code?: string } | null | undefined;
    const detail = [d.id, d.status, error?.code ? `error ${error.code}` : null, d.truncated ? "truncated" : null]
      .filter((x): x is string => typeof x === "string")
      .join(", ");
    return `✓ verified ${r.event.type.padEnd(26)} ${detail}  (${r.event.id})`;
  });
}
