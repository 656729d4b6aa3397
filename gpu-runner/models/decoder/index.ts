/** Decoder model graphs (Llama, Qwen2, Mistral) with LoRA, losses and an ORT session wrapper. */
export {
  dropoutMaskName,
  type DecoderGraph,
  type DecoderGraphOptions,
  type BufferLayout,
  type RopeDtype,
  type WeightStorage,
} from "./decoder-options.ts";
export { buildDecoderGraph, decoderAttentionMask, roundTo } from "./decoder-graph.ts";
export { checkpointOptions, ropeDtypeOf } from "./checkpoint-options.ts";
export {
  buildLossGraph,
  lossTermName,
  type DecoderLossGraph,
  type KlDirection,
  type KlPositions,
  type KlTerm,
  type LdifsTerm,
  type LossSpec,
  type LossTerm,
} from "./decoder-losses.ts";
export { batchFeeds, decoderBatch, type DecoderBatch, type NestedBatch } from "./decoder-batch.ts";
export {
  DecoderSession,
  type DecoderForward,
  type DecoderLossResult,
  type DecoderLossValues,
  type DecoderSessionOptions,
} from "./decoder-session.ts";
export {
  embedTokens,
  headLogits,
  vocabChunkRows,
  vocabInitializers,
  wholeLogits,
  type VocabChunks,
  type VocabWeights,
} from "./decoder-vocab.ts";
export { vocabRowsOf } from "./decoder-weights.ts";
export { deviceBufferLayout } from "./device-layout.ts";
export { lengthBatches } from "./length-batches.ts";
export { mlp } from "./decoder-mlp.ts";
