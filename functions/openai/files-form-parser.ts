import { badRequest } from "../../core/errors.ts";

/** One field of a multipart/form-data body; `next` streams its bytes and must be read before the next part. */
export interface FormPart {
  name: string;
  filename: string | undefined;
  contentType: string | undefined;
  /** Next chunk of this part's body, or null at its end. */
  next(): Promise<Buffer | null>;
}

const MAX_HEADER_BYTES = 16 * 1024;
const CRLF = Buffer.from("\r\n");
const HEADER_END = Buffer.from("\r\n\r\n");

/** The boundary of a `multipart/form-data` content type, or undefined. */
export function formBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return undefined;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

const malformed = (why: string) => badRequest("invalid_multipart", `Malformed multipart/form-data body: ${why}.`);

/**
 * Streams the parts of a multipart/form-data body (RFC 7578) without buffering them: only a window as long
 * as the boundary is held back while searching for it. Throws a 400 ApiError on malformed input.
 */
export async function* readMultipartForm(
  stream: ReadableStream<Uint8Array>,
  boundary: string,
): AsyncGenerator<FormPart> {
  const reader = stream.getReader();
  let buf: Buffer = Buffer.alloc(0);
  let ended = false;
  const fill = async (): Promise<boolean> => {
    if (ended) return false;
    const r = await reader.read();
    if (r.done) {
      ended = true;
      return false;
    }
    buf = buf.length === 0 ? Buffer.from(r.value) : Buffer.concat([buf, r.value]);
    return true;
  };
  const dashBoundary = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.from(`\r\n--${boundary}`);

  try {
    // Preamble: everything before the first boundary is ignored.
    let at: number;
    while ((at = buf.indexOf(dashBoundary)) === -1) {
      if (buf.length > dashBoundary.length) buf = buf.subarray(buf.length - dashBoundary.length);
      if (!(await fill())) throw malformed("no boundary found");
    }
    buf = buf.subarray(at + dashBoundary.length);
    for (;;) {
      while (buf.length < 2) if (!(await fill())) throw malformed("unexpected end after a boundary");
      if (buf[0] === 0x2d && buf[1] === 0x2d) return; // close delimiter "--"
      let eol: number;
      while ((eol = buf.indexOf(CRLF)) === -1) if (!(await fill())) throw malformed("unexpected end after a boundary");
      buf = buf.subarray(eol + 2); // (transport padding before the CRLF is allowed and ignored)
      // Every form-data part has at least a Content-Disposition header, so its header block ends in CRLF CRLF.
      let headerEnd: number;
      while ((headerEnd = buf.indexOf(HEADER_END)) === -1) {
        if (buf.length > MAX_HEADER_BYTES) throw malformed("part headers too long");
        if (!(await fill())) throw malformed("unexpected end in part headers");
      }
      if (headerEnd > MAX_HEADER_BYTES) throw malformed("part headers too long");
      const headerText = buf.subarray(0, headerEnd).toString("utf8");
      buf = buf.subarray(headerEnd + 4);
      const headers = parseHeaders(headerText);
      const disposition = headers.get("content-disposition") ?? "";
      const name = dispositionParam(disposition, "name");
      if (name === undefined) throw malformed("a part has no Content-Disposition name");

      let finished = false;
      const next = async (): Promise<Buffer | null> => {
        if (finished) return null;
        for (;;) {
          const i = buf.indexOf(delimiter);
          if (i !== -1) {
            const chunk = Buffer.from(buf.subarray(0, i));
            buf = buf.subarray(i + delimiter.length);
            finished = true;
            return chunk.length > 0 ? chunk : null;
          }
          // Hold back what could be the start of the delimiter; hand out the rest.
          const keep = delimiter.length - 1;
          if (buf.length > keep) {
            const chunk = Buffer.from(buf.subarray(0, buf.length - keep));
            buf = buf.subarray(buf.length - keep);
            return chunk;
          }
          if (!(await fill())) throw malformed("unexpected end in a part's body");
        }
      };
      yield {
        name,
        filename: dispositionParam(disposition, "filename"),
        contentType: headers.get("content-type"),
        next,
      };
      while ((await next()) !== null); // skip whatever the consumer did not read
    }
  } finally {
    reader.releaseLock();
  }
}

/** Reads a small part (a text field) completely; refuses more than `max` bytes. */
export async function readTextPart(part: FormPart, max = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for (let c = await part.next(); c !== null; c = await part.next()) {
    n += c.length;
    if (n > max) throw malformed(`field '${part.name}' is longer than ${max} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseHeaders(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) out.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return out;
}

function dispositionParam(disposition: string, param: string): string | undefined {
  const star = new RegExp(`;\\s*${param}\\*=(?:UTF-8|utf-8)''([^;]+)`).exec(disposition);
  if (star) return decodeURIComponent(star[1]);
  const m = new RegExp(`;\\s*${param}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`).exec(disposition);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2];
}
