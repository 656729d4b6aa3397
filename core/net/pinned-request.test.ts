import { execFileSync } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pinnedRequest } from "./pinned-request.ts";

const hasOpenssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

let server: https.Server;
let port: number;
let cert: string;
const seen: Array<{ servername: string | false | null; host: string | undefined }> = [];
const loopback = { address: "127.0.0.1", family: 4 as const };

beforeAll(() => {
  if (!hasOpenssl) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gt-tls-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=hooks.test",
      "-addext",
      "subjectAltName=DNS:hooks.test",
      "-keyout",
      path.join(dir, "key.pem"),
      "-out",
      path.join(dir, "cert.pem"),
    ],
    { stdio: "ignore" },
  );
  cert = fs.readFileSync(path.join(dir, "cert.pem"), "utf8");
  server = https.createServer({ key: fs.readFileSync(path.join(dir, "key.pem")), cert }, (req, res) => {
    seen.push({ servername: (req.socket as TLSSocket).servername, host: req.headers.host });
    req.resume();
    req.on("end", () => {
      if (req.url === "/moved") res.writeHead(302, { location: "https://elsewhere.test/" }).end();
      else res.writeHead(200).end("ok");
    });
  });
  fs.rmSync(dir, { recursive: true });
  return new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve())).then(() => {
    port = (server.address() as AddressInfo).port;
  });
});
afterAll(() => {
  server?.closeAllConnections();
  server?.close();
});

const post = (url: string, ca?: string) =>
  pinnedRequest(new URL(url), loopback, {
    headers: { "content-type": "application/json" },
    body: "{}",
    timeoutMs: 5000,
    maxBodyBytes: 1024,
    ...(ca ? { ca } : {}),
  });

describe.skipIf(!hasOpenssl)("pinnedRequest over https (needs openssl to make a certificate)", () => {
  it("connects to the pinned address while TLS checks the URL's host name", async () => {
    const res = await post(`https://hooks.test:${port}/in`, cert);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe("ok");
    expect(seen.at(-1)).toEqual({ servername: "hooks.test", host: `hooks.test:${port}` });
  });

  it("refuses a certificate for another name, or one nobody vouches for", async () => {
    await expect(post(`https://other.test:${port}/in`, cert)).rejects.toThrow(/altnames|does not match/i);
    await expect(post(`https://hooks.test:${port}/in`)).rejects.toThrow(/self-signed|self signed/i);
  });

  it("returns redirects as they are", async () => {
    const res = await post(`https://hooks.test:${port}/moved`, cert);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("https://elsewhere.test/");
  });
});
