import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import type { ResolvedTarget } from "./ssrf-guard.ts";

export interface PinnedPostResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The first bytes of the response body, for the delivery log. */
  bodyStart: string;
  /** From sending the request to the end of the response. */
  latencyMs: number;
}

const MAX_BODY_KEPT = 512;
/** Receivers answering more than this are cut off; the status code is all that matters. */
const MAX_BODY_READ = 64 * 1024;

/**
 * POSTs `body` to `url`, connecting to `target` (the address the SSRF guard checked) instead of resolving
 * the host again, which closes the DNS-rebinding window between check and connect. TLS still verifies the
 * certificate against the URL's host name (SNI and `Host` come from the URL). Redirects are never followed
 * (node's http client does not follow them; a 3xx is returned like any other status). The whole exchange
 * is bounded by `timeoutMs`.
 */
export function pinnedPost(
  url: URL,
  target: ResolvedTarget,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  /** Extra trusted certificates (PEM) for https receivers signed by a private CA. */
  tls: { ca?: string } = {},
): Promise<PinnedPostResult> {
  const pinnedLookup: LookupFunction = (_hostname, options, callback) => {
    // With `autoSelectFamily` (node ≥ 20) net asks for all addresses; otherwise for one.
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const client = url.protocol === "https:" ? https : http;
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = client.request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        lookup: pinnedLookup,
        ...(tls.ca ? { ca: tls.ca } : {}),
        // No pooled sockets: each delivery connects to the address checked for it.
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let read = 0;
        res.on("data", (chunk: Buffer) => {
          read += chunk.length;
          if (read <= MAX_BODY_READ) chunks.push(chunk);
          else res.destroy();
        });
        const finish = () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            bodyStart: Buffer.concat(chunks).toString("utf8", 0, MAX_BODY_KEPT),
            latencyMs: Math.round(performance.now() - start),
          });
        };
        res.on("end", finish);
        res.on("close", finish);
        res.on("error", finish);
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}
