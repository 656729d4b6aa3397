/**
 * The vocabulary-sized parts of a decoder — the embedding [V, H], the LM head [V, H] and the logits [N, V] — cut
 * into row chunks, so that no single buffer a WebGPU kernel binds exceeds the adapter's
 * `maxStorageBufferBindingSize` (128 MiB on lavapipe and most GPUs; Qwen2.5-0.5B's embedding alone is 544 MB and
 * its logits at 8 × 512 tokens 2.5 GB). With one chunk every function here emits exactly the unchunked graph.
 */
import {
  add,
  and,
  concat,
  f32,
  gather,
  greaterOrEqual,
  less,
  linear,
  slice,
  sub,
  unsqueeze,
  where,
  type Graph,
  type Tensor,
} from "../../engine/index.ts";
import type { F32Tensor } from "../io/f32-tensor.ts";

/** Row chunks [rows_i, H] of a vocabulary matrix, in token order. */
export type VocabChunks = readonly Tensor[];

/** The vocabulary matrices of one forward pass (`head` is `embed` when the embeddings are tied). */
export interface VocabWeights {
  readonly embed: VocabChunks;
  readonly head: VocabChunks;
}

const F32_BYTES = 4;

/**
 * Vocabulary rows per chunk such that a float32 weight chunk [rows, H] and a logits chunk [maxTokens, rows] each
 * fit in `limitBytes`; `undefined` when the whole vocabulary already fits (no chunking).
 */
export function vocabChunkRows(
  limitBytes: number,
  maxTokens: number,
  hiddenSize: number,
  vocabSize: number,
): number | undefined {
  const rows = Math.floor(limitBytes / (F32_BYTES * Math.max(maxTokens, hiddenSize)));
  if (rows < 1)
    throw new RangeError(
      `vocabulary chunks: one row of ${Math.max(maxTokens, hiddenSize)} floats exceeds the ${limitBytes}-byte limit; lower the batch's tokens`,
    );
  return rows >= vocabSize ? undefined : rows;
}

function chunkBounds(vocab: number, rows: number | undefined): [number, number][] {
  if (rows !== undefined && !(Number.isInteger(rows) && rows > 0))
    throw new RangeError(`vocabulary chunks: rows per chunk must be a positive integer, got ${rows}`);
  const step = rows === undefined || rows >= vocab ? vocab : rows;
  const bounds: [number, number][] = [];
  for (let start = 0; start < vocab; start += step) bounds.push([start, Math.min(vocab, start + step)]);
  return bounds;
}

/**
 * A frozen [V, H] matrix as row-chunk initializers named `<name>.rows_<start>` (one initializer named `name`
 * when it is not chunked): the full matrix never becomes one buffer.
 */
export function vocabInitializers(
  g: Graph,
  name: string,
  w: F32Tensor,
  rows: number | undefined,
  external: boolean,
): VocabChunks {
  const [vocab, hidden] = w.shape;
  const bounds = chunkBounds(vocab, rows);
  if (bounds.length === 1) return [g.initializer(name, f32([vocab, hidden], w.data), { external })];
  return bounds.map(([s, e]) =>
    g.initializer(`${name}.rows_${s}`, f32([e - s, hidden], w.data.subarray(s * hidden, e * hidden)), { external }),
  );
}

/** Row chunks of a [V, H] graph tensor (an input or trainable weight) by Slice. */
export function vocabSlices(w: Tensor, rows: number | undefined): VocabChunks {
  const vocab = w.shape[0] as number;
  const bounds = chunkBounds(vocab, rows);
  return bounds.length === 1 ? [w] : bounds.map(([s, e]) => slice(w, [s], [e], [0]));
}

/** Embedding lookup ids [...] → [..., H]: each chunk gathers the ids it holds, the others add an exact 0. */
export function embedTokens(embed: VocabChunks, ids: Tensor): Tensor {
  if (embed.length === 1) return gather(embed[0], ids, 0);
  let offset = 0;
  let x: Tensor | undefined;
  for (const chunk of embed) {
    const rows = chunk.shape[0] as number;
    const local = sub(ids, offset); // [...]
    const inChunk = and(greaterOrEqual(local, 0), less(local, rows));
    const rowsOf = where(unsqueeze(inChunk, [-1]), gather(chunk, where(inChunk, local, 0), 0), 0); // [..., H]
    x = x === undefined ? rowsOf : add(x, rowsOf);
    offset += rows;
  }
  return x!;
}

/** The LM head per chunk: x [..., H] → [..., rows_i]. */
export function headLogits(x: Tensor, head: VocabChunks): Tensor[] {
  return head.map((w) => linear(x, w));
}

/** The logits over the whole vocabulary [..., V] (one [.., V] tensor: for small row counts such as decode's). */
export function wholeLogits(chunks: readonly Tensor[]): Tensor {
  return chunks.length === 1 ? chunks[0] : concat(chunks, -1);
}
