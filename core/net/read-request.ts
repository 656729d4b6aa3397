import type { IncomingMessage } from "node:http";

/** A whole incoming request: its single-valued headers and its body as UTF-8 (webhook receivers verify both). */
export function readRequest(req: IncomingMessage): Promise<{ headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", reject);
    req.on("end", () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
      resolve({ headers, body: Buffer.concat(chunks).toString("utf8") });
    });
  });
}
