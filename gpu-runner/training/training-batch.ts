/**
 * Training examples to padded batches: truncation to max_seq_len (counted, so the runner can warn),
 * right padding in the layout of transformers' collators, and optional packing of several short
 * examples into one row.
 */
import { IGNORE_INDEX } from "../models/index.ts";

/** One tokenized example: labels equal input ids on supervised tokens, -100 elsewhere, not shifted. */
export interface TrainingExample {
  readonly inputIds: readonly number[];
  readonly labels: readonly number[];
}

export interface TruncationResult {
  readonly examples: TrainingExample[];
  /** How many examples were longer than the limit and lost their tail. */
  readonly truncated: number;
}

/** Cuts every example to `maxSeqLen` tokens (labels with them). */
export function truncateExamples(examples: readonly TrainingExample[], maxSeqLen: number): TruncationResult {
  if (!Number.isInteger(maxSeqLen) || maxSeqLen < 2)
    throw new RangeError(`max_seq_len must be an integer ≥ 2, got ${maxSeqLen}`);
  let truncated = 0;
  const out = examples.map((e) => {
    if (e.inputIds.length !== e.labels.length) {
      throw new RangeError(`an example has ${e.inputIds.length} input ids but ${e.labels.length} labels`);
    }
    if (e.inputIds.length <= maxSeqLen) return e;
    truncated++;
    return { inputIds: e.inputIds.slice(0, maxSeqLen), labels: e.labels.slice(0, maxSeqLen) };
  });
  return { examples: out, truncated };
}

/**
 * Packs examples, in the given order, into rows of at most `maxSeqLen` tokens by concatenation (a row is
 * closed when the next example does not fit). Packed examples attend to the earlier ones in their row, as
 * TRL's plain packing does; their first token is never a target of the previous example because labels of
 * a conversation's first token (a template token) are -100.
 */
export function packExamples(examples: readonly TrainingExample[], maxSeqLen: number): TrainingExample[] {
  const rows: TrainingExample[] = [];
  let ids: number[] = [];
  let labels: number[] = [];
  for (const e of examples) {
    if (ids.length > 0 && ids.length + e.inputIds.length > maxSeqLen) {
      rows.push({ inputIds: ids, labels });
      ids = [];
      labels = [];
    }
    ids.push(...e.inputIds.slice(0, maxSeqLen));
    labels.push(...e.labels.slice(0, maxSeqLen));
  }
  if (ids.length > 0) rows.push({ inputIds: ids, labels });
  return rows;
}

/** A right-padded batch as engine feeds want it (int64, row-major). */
export interface PaddedBatch {
  readonly batchSize: number;
  readonly seqLen: number;
  readonly inputIds: BigInt64Array; // [B, T]
  readonly attentionMask: BigInt64Array; // [B, T], 1 on tokens, 0 on padding
  readonly labels: BigInt64Array; // [B, T], -100 on padding, not shifted
  /** Tokens that are not padding. */
  readonly tokens: number;
  /** Positions whose next token is supervised: labels[:, 1:] ≠ -100 (what the mean CE divides by). */
  readonly supervisedTokens: number;
}

export interface CollateOptions {
  readonly padTokenId: number;
  /** Round T up to a multiple (fewer distinct shapes for ORT to plan). */
  readonly padToMultipleOf?: number;
}

export function collateBatch(examples: readonly TrainingExample[], options: CollateOptions): PaddedBatch {
  if (examples.length === 0) throw new RangeError("cannot collate an empty batch");
  const b = examples.length;
  let t = Math.max(...examples.map((e) => e.inputIds.length));
  const multiple = options.padToMultipleOf ?? 1;
  if (multiple > 1) t = Math.ceil(t / multiple) * multiple;
  const inputIds = new BigInt64Array(b * t).fill(BigInt(options.padTokenId));
  const attentionMask = new BigInt64Array(b * t);
  const labels = new BigInt64Array(b * t).fill(BigInt(IGNORE_INDEX));
  let tokens = 0;
  let supervisedTokens = 0;
  examples.forEach((e, row) => {
    const base = row * t;
    for (let i = 0; i < e.inputIds.length; i++) {
      inputIds[base + i] = BigInt(e.inputIds[i]);
      attentionMask[base + i] = 1n;
      labels[base + i] = BigInt(e.labels[i]);
      if (i > 0 && e.labels[i] !== IGNORE_INDEX) supervisedTokens++;
    }
    tokens += e.inputIds.length;
  });
  return { batchSize: b, seqLen: t, inputIds, attentionMask, labels, tokens, supervisedTokens };
}
