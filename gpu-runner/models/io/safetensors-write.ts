/**
 * Writes float32 tensors as a safetensors file (F32, or BF16 rounded to nearest even). Tensors are
 * stored in name order so the bytes depend only on the contents; the header is space-padded to a
 * multiple of 8 so every tensor starts aligned. Files are written to a temporary name and renamed,
 * so a reader never sees half a checkpoint.
 */
import { open, rename, rm } from "node:fs/promises";
import { elementCount, type F32Tensor } from "./f32-tensor.ts";
import { f32ToBf16Bits } from "./half-floats.ts";

export type SafetensorsWriteDtype = "F32" | "BF16";

export interface SafetensorsWriteOptions {
  dtype?: SafetensorsWriteDtype;
  /** Defaults to `{ format: "pt" }`, which transformers and peft expect. */
  metadata?: Record<string, string>;
}

type TensorSource = ReadonlyMap<string, F32Tensor> | Readonly<Record<string, F32Tensor>>;

function sortedEntries(tensors: TensorSource): [string, F32Tensor][] {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function tensorBytes(tensor: F32Tensor, dtype: SafetensorsWriteDtype): Uint8Array {
  if (tensor.data.length !== elementCount(tensor.shape)) {
    throw new RangeError(
      `tensor data has ${tensor.data.length} elements, shape [${tensor.shape.join(", ")}] needs ${elementCount(tensor.shape)}`,
    );
  }
  const typed = dtype === "F32" ? tensor.data : f32ToBf16Bits(tensor.data);
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

/** The 8-byte length plus padded JSON header, and the tensor payloads in file order. */
function layout(tensors: TensorSource, options: SafetensorsWriteOptions): { head: Buffer; payloads: Uint8Array[] } {
  const dtype = options.dtype ?? "F32";
  const header: Record<string, unknown> = { __metadata__: options.metadata ?? { format: "pt" } };
  const payloads: Uint8Array[] = [];
  let offset = 0;
  for (const [name, tensor] of sortedEntries(tensors)) {
    if (name === "__metadata__") throw new RangeError("'__metadata__' is reserved in safetensors");
    const bytes = tensorBytes(tensor, dtype);
    header[name] = { dtype, shape: [...tensor.shape], data_offsets: [offset, offset + bytes.length] };
    payloads.push(bytes);
    offset += bytes.length;
  }
  let json = Buffer.from(JSON.stringify(header), "utf8");
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) json = Buffer.concat([json, Buffer.alloc(padded - json.length, 0x20)]);
  const head = Buffer.alloc(8 + json.length);
  head.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(head, 8);
  return { head, payloads };
}

/** The complete file as one buffer (for small files and for uploads). */
export function encodeSafetensors(tensors: TensorSource, options: SafetensorsWriteOptions = {}): Buffer {
  const { head, payloads } = layout(tensors, options);
  return Buffer.concat([head, ...payloads]);
}

export async function writeSafetensors(
  path: string,
  tensors: TensorSource,
  options: SafetensorsWriteOptions = {},
): Promise<void> {
  const { head, payloads } = layout(tensors, options);
  const temporary = `${path}.${process.pid}.partial`;
  const file = await open(temporary, "w");
  try {
    let position = 0;
    for (const bytes of [head, ...payloads]) {
      let done = 0;
      while (done < bytes.length) {
        const { bytesWritten } = await file.write(bytes, done, bytes.length - done, position + done);
        done += bytesWritten;
      }
      position += bytes.length;
    }
    await file.close();
    await rename(temporary, path);
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
}
