/** A padded token batch as the decoder graphs take it: row-major [B, T] int64 arrays. */
import { f32, i64, type HostTensor } from "../../engine/index.ts";

export interface DecoderBatch {
  readonly batchSize: number;
  readonly seqLen: number;
  /** [B·T] */
  readonly inputIds: BigInt64Array;
  /** [B·T], 1 = token, 0 = padding */
  readonly attentionMask: BigInt64Array;
  /** [B·T], aligned with inputIds (not shifted), −100 = unsupervised; needed for losses */
  readonly labels?: BigInt64Array;
  /** [B·T]; only for graphs built with positionIds "input" */
  readonly positionIds?: BigInt64Array;
  /** [H]; only for graphs with a steering layer (zeros = off) */
  readonly steeringVector?: Float32Array;
  /** LoRA dropout keep-masks [B·T·in] (0/1) by graph input name; only when the adapter has dropout */
  readonly dropoutMasks?: Readonly<Record<string, Float32Array>>;
}

export interface NestedBatch {
  readonly inputIds: readonly (readonly number[])[];
  readonly attentionMask?: readonly (readonly number[])[];
  readonly labels?: readonly (readonly number[])[];
}

/** From nested arrays of equal length (e.g. inputs.json); the mask defaults to all ones. */
export function decoderBatch(rows: NestedBatch): DecoderBatch {
  const b = rows.inputIds.length;
  const t = b === 0 ? 0 : rows.inputIds[0].length;
  const flat = (x: readonly (readonly number[])[], what: string): BigInt64Array => {
    if (x.length !== b || x.some((r) => r.length !== t))
      throw new Error(`batch: ${what} must be ${b} rows of ${t} ids`);
    return BigInt64Array.from(x.flat(), (v) => BigInt(v));
  };
  return {
    batchSize: b,
    seqLen: t,
    inputIds: flat(rows.inputIds, "input_ids"),
    attentionMask: rows.attentionMask ? flat(rows.attentionMask, "attention_mask") : new BigInt64Array(b * t).fill(1n),
    labels: rows.labels ? flat(rows.labels, "labels") : undefined,
  };
}

/** The graph feeds of a batch (what the graph does not take is left out by the caller's input list). */
export function batchFeeds(
  batch: DecoderBatch,
  hiddenSize: number,
  dropoutInFeatures: ReadonlyMap<string, number>,
): Record<string, HostTensor> {
  const dims = [batch.batchSize, batch.seqLen];
  const feeds: Record<string, HostTensor> = {
    input_ids: i64(dims, batch.inputIds),
    attention_mask: i64(dims, batch.attentionMask),
  };
  if (batch.labels) feeds.labels = i64(dims, batch.labels);
  if (batch.positionIds) feeds.position_ids = i64(dims, batch.positionIds);
  if (batch.steeringVector) feeds.steering_vector = f32([hiddenSize], batch.steeringVector);
  for (const [name, mask] of Object.entries(batch.dropoutMasks ?? {})) {
    const inFeatures = dropoutInFeatures.get(name);
    if (inFeatures === undefined) throw new Error(`batch: the graph has no dropout mask '${name}'`);
    feeds[name] = f32([...dims, inFeatures], mask);
  }
  return feeds;
}
