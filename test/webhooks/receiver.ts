import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { readRequest } from "../../core/net/read-request.ts";

export interface ReceivedWebhook {
  headers: Record<string, string>;
  body: string;
  path: string;
  receivedAt: number;
}

export type Responder = (req: ReceivedWebhook) => { status: number; headers?: Record<string, string>; body?: string };

/** A real HTTP receiver on loopback that records every request; what it answers is set per test. */
export interface Receiver {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  respond: Responder;
  /** Resolves once `n` requests have arrived in total. */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

export async function startReceiver(opts: { port?: number; path?: string } = {}): Promise<Receiver> {
  const received: ReceivedWebhook[] = [];
  const waiters: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    void readRequest(req).then(({ headers, body }) => {
      const got: ReceivedWebhook = {
        headers,
        body,
        path: req.url ?? "/",
        receivedAt: Date.now(),
      };
      received.push(got);
      const answer = receiver.respond(got);
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body ?? "");
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}${opts.path ?? "/hooks"}`,
    port,
    received,
    respond: () => ({ status: 204 }),
    async waitFor(n, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n) {
        const left = deadline - Date.now();
        if (left <= 0)
          throw new Error(`receiver got ${received.length} of ${n} expected requests within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return received.slice(0, n);
    },
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
  return receiver;
}

/** Verifies with the `standardwebhooks` reference client; returns the parsed body or throws. */
export function verifyWith(
  secret: string,
  got: ReceivedWebhook,
): { id: string; type: string; created_at: number; data: Record<string, unknown> } {
  return new Webhook(secret).verify(got.body, got.headers) as {
    id: string;
    type: string;
    created_at: number;
    data: Record<string, unknown>;
  };
}

/** A port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `check` until it returns a value other than undefined. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
