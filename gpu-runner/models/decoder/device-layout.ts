/**
 * The buffer layout a graph needs on a device: on WebGPU, the adapter's binding limit for batches of up to a
 * given number of tokens (decoder-vocab, decoder-mlp); on the CPU EP none, and the graphs are the unchunked ones.
 */
import { tensorByteLimit } from "../../engine/index.ts";
import type { BufferLayout } from "./decoder-options.ts";

/**
 * The layout for `ep` and batches of up to `maxTokens` tokens (B·T of a training or scoring batch, B·S of a
 * decode prefill): `{}` on the CPU EP or when no adapter answers, else `bufferLimit` from the adapter.
 */
export async function deviceBufferLayout(ep: "cpu" | "webgpu" | undefined, maxTokens: number): Promise<BufferLayout> {
  if (!(Number.isInteger(maxTokens) && maxTokens > 0))
    throw new RangeError(`buffer layout: maxTokens must be a positive integer, got ${maxTokens}`);
  const bytes = await tensorByteLimit(ep);
  return bytes === undefined ? {} : { bufferLimit: { bytes, maxTokens } };
}
