/**
 * Reads safetensors files into float32 tensors. The data section is read with one buffer; F32 tensors
 * whose offset is 4-byte aligned are views into it (no copy), others are copied once. F16/BF16 are
 * widened to float32 (see half-floats.ts).
 */
import { open, type FileHandle } from "node:fs/promises";
import { endianness } from "node:os";
import { ModelFileError } from "../model-file-error.ts";
import { f32Tensor, type F32Tensor } from "./f32-tensor.ts";
import { bf16BitsToF32, f16BitsToF32 } from "./half-floats.ts";
import {
  headerLength,
  isSupportedDtype,
  parseSafetensorsHeader,
  type SafetensorsDtype,
  type SafetensorsEntry,
  type SafetensorsHeader,
} from "./safetensors-header.ts";

export interface SafetensorsContents {
  tensors: Map<string, F32Tensor>;
  /** The dtype each tensor had on disk. */
  dtypes: Map<string, SafetensorsDtype>;
  metadata: Record<string, string>;
}

/** A single read() call is capped near 2 GiB; larger data sections are filled in slices. */
const READ_SLICE_BYTES = 1 << 30;

function assertLittleEndianHost(): void {
  if (endianness() !== "LE") throw new Error("safetensors typed-array views need a little-endian host");
}

/** The 8-byte length prefix and the JSON header of an open safetensors file. */
async function readHeaderBytes(file: FileHandle, path: string): Promise<{ size: number; json: Buffer; n: number }> {
  const { size } = await file.stat();
  const prefix = Buffer.alloc(8);
  await readExactly(file, prefix, 0, path);
  const n = headerLength(prefix, size, path);
  const json = Buffer.alloc(n);
  await readExactly(file, json, 8, path);
  return { size, json, n };
}

/** Reads the whole file and converts every tensor to float32. */
export async function readSafetensors(path: string): Promise<SafetensorsContents> {
  assertLittleEndianHost();
  const file = await open(path, "r");
  try {
    const { size, json, n } = await readHeaderBytes(file, path);
    const data = Buffer.allocUnsafeSlow(size - 8 - n); // own ArrayBuffer at offset 0: alignment = tensor offset
    await readExactly(file, data, 8 + n, path);
    return decodeTensors(parseSafetensorsHeader(json, data.length, path), data, path);
  } finally {
    await file.close();
  }
}

/** Only the header (names, dtypes, shapes) without reading tensor data. */
export async function readSafetensorsHeader(path: string): Promise<SafetensorsHeader> {
  const file = await open(path, "r");
  try {
    const { size, json, n } = await readHeaderBytes(file, path);
    return parseSafetensorsHeader(json, size - 8 - n, path);
  } finally {
    await file.close();
  }
}

/** Decodes a complete safetensors file already in memory (e.g. downloaded from object storage). */
export function decodeSafetensors(bytes: Uint8Array, path?: string): SafetensorsContents {
  assertLittleEndianHost();
  const n = headerLength(bytes, bytes.length, path);
  const data = bytes.subarray(8 + n);
  return decodeTensors(parseSafetensorsHeader(bytes.subarray(8, 8 + n), data.length, path), data, path);
}

function decodeTensors(header: SafetensorsHeader, data: Uint8Array, path?: string): SafetensorsContents {
  const tensors = new Map<string, F32Tensor>();
  const dtypes = new Map<string, SafetensorsDtype>();
  for (const [name, entry] of header.entries) {
    if (!isSupportedDtype(entry.dtype)) {
      throw new ModelFileError(
        "unsupported_dtype",
        `tensor '${name}' has dtype ${entry.dtype}; only F32, F16 and BF16 are read`,
        path,
      );
    }
    tensors.set(name, f32Tensor(entry.shape, toFloat32(entry, entry.dtype, data)));
    dtypes.set(name, entry.dtype);
  }
  return { tensors, dtypes, metadata: header.metadata };
}

function toFloat32(entry: SafetensorsEntry, dtype: SafetensorsDtype, data: Uint8Array): Float32Array {
  const bytes = data.subarray(entry.begin, entry.end);
  if (dtype === "F32") {
    if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    return new Float32Array(copyAligned(bytes));
  }
  const halves =
    bytes.byteOffset % 2 === 0
      ? new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2)
      : new Uint16Array(copyAligned(bytes));
  return dtype === "BF16" ? bf16BitsToF32(halves) : f16BitsToF32(halves);
}

function copyAligned(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy.buffer;
}

interface Readable {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
}

async function readExactly(file: Readable, target: Uint8Array, position: number, path: string): Promise<void> {
  let done = 0;
  while (done < target.length) {
    const want = Math.min(READ_SLICE_BYTES, target.length - done);
    const { bytesRead } = await file.read(target, done, want, position + done);
    if (bytesRead === 0) throw new ModelFileError("safetensors_format", "file ended before the data section did", path);
    done += bytesRead;
  }
}
