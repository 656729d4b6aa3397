import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * An HTTP proxy in front of one upstream (the S3/SQS emulator) that forwards every request except those a
 * predicate picks: the first of those is held unanswered, which stops a client that awaits it at a known
 * point. Lets a test act on "the process is blocked exactly here" instead of on timing.
 */
export interface HoldingProxy {
  url: string;
  /** Resolves with the held request's method and path once one arrives. */
  held: Promise<{ method: string; path: string }>;
  close(): Promise<void>;
}

export async function startHoldingProxy(
  upstream: string,
  hold: (req: { method: string; path: string }) => boolean,
): Promise<HoldingProxy> {
  const target = new URL(upstream);
  let holding = false;
  let onHeld!: (r: { method: string; path: string }) => void;
  const held = new Promise<{ method: string; path: string }>((resolve) => (onHeld = resolve));
  const server = http.createServer((req, res) => {
    const seen = { method: req.method ?? "GET", path: req.url ?? "/" };
    if (!holding && hold(seen)) {
      holding = true;
      req.resume(); // read the body so the client thinks it was sent, and never answer
      onHeld(seen);
      return;
    }
    const forward = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
