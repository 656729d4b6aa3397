import { createHash } from "node:crypto";
import { expect } from "vitest";

/** A chat example line with distinct content per index. */
export const chatLine = (i: number) =>
  JSON.stringify({
    messages: [
      { role: "system", content: "You are a concise assistant." },
      { role: "user", content: `Question number ${i}: what is ${i} plus ${i}?` },
      { role: "assistant", content: `${i} plus ${i} is ${2 * i}.` },
    ],
  });

/** `n` valid chat lines as a JSONL file. */
export const chatFile = (n: number, from = 0) =>
  Buffer.from(Array.from({ length: n }, (_, i) => chatLine(from + i)).join("\n") + "\n", "utf8");

export const sha256Hex = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

export interface DatasetJson {
  id: string;
  status: string;
  bytes: number;
  n_examples: number | null;
  error: { code: string; message: string } | null;
  report: null | {
    n_examples: number;
    n_errors: number;
    errors: Array<{ line: number | null; field: string; code: string; message: string; hint: string }>;
    warnings: Array<{ line: number | null; code: string }>;
    stats: Record<string, unknown> & { sha256: string; bytes: number };
  };
}

export interface PutUploadJson {
  method: "PUT";
  url: string;
  headers: Record<string, string>;
  expires_at: number;
}
export interface MultipartUploadJson {
  method: "MULTIPART";
  part_size: number;
  parts: Array<{ number: number; url: string; bytes: number }>;
  complete_url: string;
}

/**
 * Uploads `body` through a presigned PUT with the headers the API asked for. A lying client sends its own
 * Content-Length instead (`honest: false`); S3 would refuse the signature, the emulator does not check it.
 */
export async function putPresigned(upload: PutUploadJson, body: Uint8Array, honest = true): Promise<string> {
  const headers = honest
    ? upload.headers
    : Object.fromEntries(Object.entries(upload.headers).filter(([k]) => k !== "content-length"));
  const res = await fetch(upload.url, { method: "PUT", headers, body });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.headers.get("etag") ?? "";
}

/** Uploads each part through its presigned URL; returns the parts list for `complete`. */
export async function putParts(
  upload: MultipartUploadJson,
  body: Uint8Array,
): Promise<Array<{ number: number; etag: string }>> {
  const out: Array<{ number: number; etag: string }> = [];
  let offset = 0;
  for (const part of upload.parts) {
    const res = await fetch(part.url, { method: "PUT", body: body.subarray(offset, offset + part.bytes) });
    expect(res.status).toBe(200);
    out.push({ number: part.number, etag: res.headers.get("etag") ?? "" });
    offset += part.bytes;
  }
  return out;
}

/** Polls until the dataset leaves awaiting_upload/validating. */
export async function waitForSettled(get: () => Promise<DatasetJson>, timeoutMs = 30_000): Promise<DatasetJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await get();
    if (d.status !== "awaiting_upload" && d.status !== "validating") return d;
    if (Date.now() > deadline) throw new Error(`dataset ${d.id} still ${d.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
