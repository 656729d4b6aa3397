import http from "node:http";
import type { AddressInfo } from "node:net";

export interface FaultRates {
  /** Answer 500 (InternalError) without forwarding. */
  error500: number;
  /** Answer 503 (SlowDown / ServiceUnavailable) without forwarding. */
  error503: number;
  /** Destroy the client's socket without an answer (a connection reset). */
  reset: number;
  /** Forward after `latencyMs` extra. */
  latency: number;
  latencyMs: number;
}

export interface FaultProxy {
  url: string;
  counts: { requests: number; error500: number; error503: number; reset: number; latency: number; forwarded: number };
  /** Stops injecting (everything is forwarded from now on). */
  calm(): void;
  close(): Promise<void>;
}

const xmlError = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`;

/**
 * A loopback HTTP proxy in front of the S3/SQS emulator that fails a set share of requests, drawn
 * independently per request: 500 and 503 answers, connection resets, and added latency. Faults are decided
 * before the request is forwarded, so an injected error never has a side effect in the store.
 */
export async function startFaultProxy(target: string, rates: FaultRates): Promise<FaultProxy> {
  const upstream = new URL(target);
  const counts = { requests: 0, error500: 0, error503: 0, reset: 0, latency: 0, forwarded: 0 };
  let calm = false;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const forward = (req: http.IncomingMessage, res: http.ServerResponse) => {
    counts.forwarded++;
    const out = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  };
  const server = http.createServer((req, res) => {
    counts.requests++;
    const r = Math.random();
    let edge = 0;
    const hit = (p: number) => !calm && r < (edge += p);
    if (hit(rates.error500)) {
      counts.error500++;
      req.resume();
      res.writeHead(500, { "content-type": "application/xml" }).end(xmlError("InternalError", "injected fault"));
    } else if (hit(rates.error503)) {
      counts.error503++;
      req.resume();
      res.writeHead(503, { "content-type": "application/xml" }).end(xmlError("SlowDown", "injected fault"));
    } else if (hit(rates.reset)) {
      counts.reset++;
      req.socket.destroy();
    } else if (hit(rates.latency)) {
      counts.latency++;
      setTimeout(() => forward(req, res), rates.latencyMs);
    } else {
      forward(req, res);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    calm: () => {
      calm = true;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}
