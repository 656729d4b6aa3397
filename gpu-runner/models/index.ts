/** Model files for the runner: checkpoints, configs, tokenizers and chat templates, PEFT LoRA adapters. */
export {
  ModelFileError,
  WeightSetMismatchError,
  type ModelFileErrorCode,
  type ShapeMismatch,
} from "./model-file-error.ts";
export { elementCount, f32Tensor, sameShape, type F32Tensor } from "./io/f32-tensor.ts";
export { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits } from "./io/half-floats.ts";
export {
  parseSafetensorsHeader,
  type SafetensorsDtype,
  type SafetensorsEntry,
  type SafetensorsHeader,
} from "./io/safetensors-header.ts";
export {
  decodeSafetensors,
  readSafetensors,
  readSafetensorsHeader,
  type SafetensorsContents,
} from "./io/safetensors-read.ts";
export {
  encodeSafetensors,
  writeSafetensors,
  type SafetensorsWriteDtype,
  type SafetensorsWriteOptions,
} from "./io/safetensors-write.ts";
export {
  readCheckpointTensors,
  writeShardedCheckpoint,
  SHARD_INDEX,
  SINGLE_FILE,
  type CheckpointTensors,
  type ShardedWriteOptions,
} from "./io/checkpoint-files.ts";
export {
  DECODER_ARCHITECTURES,
  loadDecoderConfig,
  parseDecoderConfig,
  type DecoderArchitecture,
  type DecoderConfig,
} from "./config/decoder-config.ts";
export { parseRope, ropeInverseFrequencies, type RopeScaling } from "./config/rope-config.ts";
export {
  ATTENTION_PROJECTIONS,
  MLP_PROJECTIONS,
  PROJECTIONS,
  expectedWeights,
  isIgnorableWeight,
  isProjection,
  projectionModulePath,
  projectionShape,
  type Projection,
} from "./config/weight-catalogue.ts";
export { checkWeightSet, loadDecoderCheckpoint, type DecoderCheckpoint } from "./load-decoder-checkpoint.ts";
export {
  createChatTokenizer,
  loadChatTokenizer,
  readChatTokenizerFiles,
  type ChatTokenizer,
  type ChatTokenizerFiles,
} from "./tokenizer/chat-tokenizer.ts";
export { CHAT_ROLES, renderChat, renderChatPieces, type ChatMessage, type ChatRole } from "./tokenizer/chat-render.ts";
export { encodePieces, type OwnedTokens, type TextPiece } from "./tokenizer/piece-encoder.ts";
export {
  IGNORE_INDEX,
  encodeChat,
  encodeGenerationPrompt,
  encodePromptAndAnswer,
  type EncodedChat,
  type PromptAndAnswer,
} from "./tokenizer/chat-encoding.ts";
export { encodeChatBatch, padBatch, type ChatBatch, type PadOptions } from "./tokenizer/chat-batch.ts";
export {
  loraScale,
  loraTargets,
  parsePeftTensorName,
  peftTensorName,
  targetsModule,
  type LoraSettings,
  type LoraTarget,
} from "./lora/lora-settings.ts";
export {
  PEFT_VERSION,
  parsePeftAdapterConfig,
  peftAdapterConfig,
  type PeftAdapterConfig,
} from "./lora/peft-adapter-config.ts";
export {
  ADAPTER_CONFIG_FILE,
  ADAPTER_WEIGHTS_FILE,
  adapterTargets,
  checkAdapterTensors,
  createLoraAdapter,
  loadPeftAdapter,
  savePeftAdapter,
  type LoraAdapter,
} from "./lora/peft-adapter.ts";
export { mergeLora } from "./lora/merge-lora.ts";
export {
  CHATML_TEMPLATE,
  TINY_RANDOM_DEFAULT_SEED,
  TINY_RANDOM_MODEL_ID,
  buildTinyRandomModel,
  ensureTinyRandomModel,
  isTinyRandomModelComplete,
  writeTinyRandomModel,
  type TinyRandomFiles,
  type TinyRandomOptions,
} from "./tiny/tiny-random-model.ts";
