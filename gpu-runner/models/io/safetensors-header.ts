/**
 * The safetensors header: an 8-byte little-endian length, then a JSON object mapping tensor names to
 * `{ dtype, shape, data_offsets }` (offsets relative to the data section) plus optional `__metadata__`.
 */
import { ModelFileError } from "../model-file-error.ts";
import { elementCount } from "./f32-tensor.ts";

export type SafetensorsDtype = "F32" | "F16" | "BF16";

export const DTYPE_BYTES: Readonly<Record<SafetensorsDtype, number>> = { F32: 4, F16: 2, BF16: 2 };

export interface SafetensorsEntry {
  dtype: string;
  shape: number[];
  /** [begin, end) byte range inside the data section. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  entries: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
  /** Byte offset of the data section from the start of the file (8 + header length). */
  dataStart: number;
}

/** Refuse absurd header lengths before allocating for them (real headers are a few MiB at most). */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

const DTYPE_SIZES: Readonly<Record<string, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
};

export function isSupportedDtype(dtype: string): dtype is SafetensorsDtype {
  return dtype === "F32" || dtype === "F16" || dtype === "BF16";
}

/** Reads the 8-byte header length, checking it fits in a file of `fileSize` bytes. */
export function headerLength(prefix: Uint8Array, fileSize: number, path?: string): number {
  if (prefix.length < 8 || fileSize < 8)
    throw new ModelFileError("safetensors_format", "file is shorter than the 8-byte header length", path);
  const n = Number(new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true));
  if (n < 2 || n > MAX_HEADER_BYTES || 8 + n > fileSize) {
    throw new ModelFileError("safetensors_format", `header length ${n} does not fit a file of ${fileSize} bytes`, path);
  }
  return n;
}

/** Parses and validates the JSON header; `dataBytes` is the size of the data section. */
export function parseSafetensorsHeader(json: Uint8Array, dataBytes: number, path?: string): SafetensorsHeader {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(json));
  } catch (cause) {
    throw new ModelFileError("safetensors_format", "header is not valid UTF-8 JSON", path, { cause });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ModelFileError("safetensors_format", "header is not a JSON object", path);
  }
  const entries = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (name === "__metadata__") {
      metadata = parseMetadata(value, path);
      continue;
    }
    entries.set(name, parseEntry(name, value, dataBytes, path));
  }
  return { entries, metadata, dataStart: 8 + json.length };
}

function parseMetadata(value: unknown, path?: string): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ModelFileError("safetensors_format", "__metadata__ is not an object", path);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== "string")
      throw new ModelFileError("safetensors_format", `__metadata__.${k} is not a string`, path);
    out[k] = v;
  }
  return out;
}

function parseEntry(name: string, value: unknown, dataBytes: number, path?: string): SafetensorsEntry {
  const bad = (why: string) => new ModelFileError("safetensors_format", `tensor '${name}': ${why}`, path);
  if (typeof value !== "object" || value === null) throw bad("entry is not an object");
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== "string" || DTYPE_SIZES[dtype] === undefined) throw bad(`unknown dtype ${String(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw bad("shape is not a list of non-negative integers");
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw bad("data_offsets is not [begin, end]");
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataBytes)
    throw bad(`data_offsets [${begin}, ${end}] outside the ${dataBytes}-byte data section`);
  const expected = elementCount(shape as number[]) * DTYPE_SIZES[dtype];
  if (end - begin !== expected)
    throw bad(`holds ${end - begin} bytes but ${dtype}[${shape.join(", ")}] needs ${expected}`);
  return { dtype, shape: shape as number[], begin, end };
}
