import { isUtf8 } from "node:buffer";

export type LineItem =
  | { line: number; text: string }
  | { line: number; error: "invalid_utf8"; byteOffset: number }
  | { line: number; error: "line_too_long"; bytes: number };

const NEWLINE = 0x0a;
const CR = 0x0d;
const BOM = [0xef, 0xbb, 0xbf] as const;

/**
 * Splits a byte stream into lines without ever holding more than one line (capped at `maxLineBytes`) in
 * memory. A UTF-8 byte order mark at the start of the file is dropped; `\r\n` and `\n` both end a line; a
 * last line without a newline still counts. Over-long lines are skipped to their end and reported with
 * their length; lines that are not UTF-8 are reported with the offset of the first bad byte.
 */
export async function* readLines(source: AsyncIterable<Uint8Array>, maxLineBytes: number): AsyncGenerator<LineItem> {
  let pieces: Buffer[] = [];
  let length = 0;
  let tooLong = false;
  let lineNo = 0;
  let atFileStart = true;
  let head: Buffer = Buffer.alloc(0); // the first bytes of the file, until we know whether they are a BOM

  const finish = (): LineItem => {
    lineNo++;
    if (tooLong) {
      const item: LineItem = { line: lineNo, error: "line_too_long", bytes: length };
      pieces = [];
      length = 0;
      tooLong = false;
      return item;
    }
    let buf = pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, length);
    pieces = [];
    length = 0;
    if (buf.length > 0 && buf[buf.length - 1] === CR) buf = buf.subarray(0, buf.length - 1);
    if (!isUtf8(buf)) return { line: lineNo, error: "invalid_utf8", byteOffset: firstInvalidUtf8Offset(buf) };
    return { line: lineNo, text: buf.toString("utf8") };
  };

  const append = (bytes: Buffer) => {
    length += bytes.length;
    if (tooLong) return;
    if (length > maxLineBytes) {
      tooLong = true;
      pieces = [];
      return;
    }
    pieces.push(bytes);
  };

  for await (const raw of source) {
    let chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    if (atFileStart) {
      head = Buffer.concat([head, chunk]);
      if (head.length < BOM.length && BOM.slice(0, head.length).every((b, i) => head[i] === b)) continue;
      atFileStart = false;
      chunk = head[0] === BOM[0] && head[1] === BOM[1] && head[2] === BOM[2] ? head.subarray(3) : head;
    }
    let pos = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, pos);
      if (nl === -1) break;
      append(chunk.subarray(pos, nl));
      yield finish();
      pos = nl + 1;
    }
    // Copy the tail: the source may reuse its chunk buffers.
    if (pos < chunk.length) append(Buffer.from(chunk.subarray(pos)));
  }
  if (atFileStart && head.length > 0) append(head); // a file shorter than a BOM that begins like one
  if (length > 0 || tooLong) yield finish();
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence (only called on invalid lines). */
export function firstInvalidUtf8Offset(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i];
    let n = 0;
    let min = 0;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) [n, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [n, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    if (i + n >= buf.length) return i;
    let cp = b & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const c = buf[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return buf.length;
}
