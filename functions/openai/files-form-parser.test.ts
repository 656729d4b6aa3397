import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formBoundary, readMultipartForm, readTextPart } from "./files-form-parser.ts";

/** A body split into chunks of the given sizes (cycled), as a web stream. */
function streamOf(body: Buffer, sizes: number[]): ReadableStream<Uint8Array> {
  let offset = 0;
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= body.length) return controller.close();
      const n = Math.max(1, sizes[i++ % sizes.length]);
      controller.enqueue(new Uint8Array(body.subarray(offset, offset + n)));
      offset += n;
    },
  });
}

async function parse(body: Buffer, boundary: string, sizes: number[]) {
  const out: Array<{ name: string; filename: string | undefined; data: Buffer }> = [];
  for await (const part of readMultipartForm(streamOf(body, sizes), boundary)) {
    const chunks: Buffer[] = [];
    for (let c = await part.next(); c !== null; c = await part.next()) chunks.push(c);
    out.push({ name: part.name, filename: part.filename, data: Buffer.concat(chunks) });
  }
  return out;
}

describe("readMultipartForm", () => {
  it("reads what the platform's FormData encoder writes, in any chunking", async () => {
    const form = new FormData();
    form.append("file", new Blob([Buffer.from('{"a":1}\r\n--not-a-boundary\r\n{"b":2}\n')]), "train data.jsonl");
    form.append("purpose", "fine-tune");
    const req = new Request("http://x/", { method: "POST", body: form });
    const boundary = formBoundary(req.headers.get("content-type") ?? undefined);
    expect(boundary).toBeDefined();
    const body = Buffer.from(await req.arrayBuffer());
    for (const sizes of [[1], [3, 7], [64], [100000]]) {
      const parts = await parse(body, boundary!, sizes);
      expect(parts.map((p) => [p.name, p.filename])).toEqual([
        ["file", "train data.jsonl"],
        ["purpose", undefined],
      ]);
      expect(parts[0].data.toString()).toBe('{"a":1}\r\n--not-a-boundary\r\n{"b":2}\n');
      expect(parts[1].data.toString()).toBe("fine-tune");
    }
  });

  it("round-trips arbitrary field contents split at arbitrary points", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 200 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 5 }),
        async (fields, sizes) => {
          const boundary = "----guardtune-test-boundary";
          const body = Buffer.concat([
            Buffer.from("preamble\r\n"),
            ...fields.flatMap((f, i) => [
              Buffer.from(
                `--${boundary}\r\nContent-Disposition: form-data; name="f${i}"; filename="x${i}.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
              ),
              Buffer.from(f),
              Buffer.from("\r\n"),
            ]),
            Buffer.from(`--${boundary}--\r\n`),
          ]);
          const parts = await parse(body, boundary, sizes);
          expect(parts.map((p) => p.name)).toEqual(fields.map((_, i) => `f${i}`));
          parts.forEach((p, i) => expect(p.data.equals(Buffer.from(fields[i]))).toBe(true));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("skips unread parts and rejects truncated bodies with a 400", async () => {
    const boundary = "b0undary";
    const body = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="skip"\r\n\r\nxxxx\r\n--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\neval\r\n--${boundary}--`,
    );
    const names: string[] = [];
    for await (const part of readMultipartForm(streamOf(body, [5]), boundary)) {
      names.push(part.name);
      if (part.name === "purpose") expect(await readTextPart(part)).toBe("eval");
    }
    expect(names).toEqual(["skip", "purpose"]);
    const truncated = body.subarray(0, 60);
    await expect(parse(truncated, boundary, [7])).rejects.toMatchObject({ status: 400, code: "invalid_multipart" });
  });
});
