import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import type { ResolvedTarget } from "./outbound-guard.ts";

export interface PinnedRequest {
  method?: "POST" | "GET";
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /**
   * Most response bytes read. Past it the response is cut off: `"truncate"` keeps what was read (the
   * caller only needs the status), `"error"` rejects with `ResponseTooLargeError` (the caller parses it).
   */
  maxBodyBytes: number;
  onOverflow?: "truncate" | "error";
  /** Extra trusted certificates (PEM) for https servers signed by a private CA. */
  ca?: string;
}

export interface PinnedResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The response body, at most `maxBodyBytes` of it. */
  body: Buffer;
  truncated: boolean;
  /** From sending the request to the end of the response. */
  latencyMs: number;
}

export class ResponseTooLargeError extends Error {
  override readonly name = "ResponseTooLargeError";
}

/**
 * Sends one request to `url`, connecting to `target` (the address the guard checked) instead of resolving
 * the host again, which closes the DNS-rebinding window between check and connect. TLS still verifies the
 * certificate against the URL's host name (SNI and `Host` come from the URL). Redirects are never followed
 * (node's http client does not follow them; a 3xx is returned like any other status). The whole exchange
 * is bounded by `timeoutMs` and the response by `maxBodyBytes`.
 */
export function pinnedRequest(url: URL, target: ResolvedTarget, request: PinnedRequest): Promise<PinnedResponse> {
  const pinnedLookup: LookupFunction = (_hostname, options, callback) => {
    // With `autoSelectFamily` (node ≥ 20) net asks for all addresses; otherwise for one.
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const client = url.protocol === "https:" ? https : http;
  const body = request.body ?? "";
  const start = performance.now();
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const req = client.request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: request.method ?? "POST",
        headers: { ...request.headers, "content-length": String(Buffer.byteLength(body)) },
        lookup: pinnedLookup,
        ...(request.ca ? { ca: request.ca } : {}),
        // No pooled sockets: each request connects to the address checked for it.
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let read = 0;
        let truncated = false;
        res.on("data", (chunk: Buffer) => {
          if (truncated) return;
          const room = request.maxBodyBytes - read;
          if (chunk.length <= room) {
            chunks.push(chunk);
            read += chunk.length;
            return;
          }
          chunks.push(chunk.subarray(0, room));
          read += room;
          truncated = true;
          if (request.onOverflow === "error") {
            settle(() =>
              reject(new ResponseTooLargeError(`the response is larger than ${request.maxBodyBytes} bytes`)),
            );
          }
          res.destroy();
        });
        const finish = () =>
          settle(() =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
              truncated,
              latencyMs: Math.round(performance.now() - start),
            }),
          );
        res.on("end", finish);
        res.on("close", finish);
        res.on("error", finish);
      },
    );
    const timer = setTimeout(
      // ETIMEDOUT like a socket timeout, so callers classify it by code.
      () => req.destroy(Object.assign(new Error(`timed out after ${request.timeoutMs} ms`), { code: "ETIMEDOUT" })),
      request.timeoutMs,
    );
    req.on("error", (err) => settle(() => reject(err)));
    req.end(body);
  });
}
