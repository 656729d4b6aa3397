/**
 * guardtune training engine: typed ONNX graph building, reverse-mode autodiff, onnxruntime execution and
 * optimizers. This file is the public API; everything else is internal to gpu-runner/engine.
 */
// Graph building
export { Graph, Tensor, type Node, type Operand, type Initializer } from "./graph/graph.ts";
export type { DType } from "./graph/dtype.ts";
export type { Dim, Shape } from "./graph/shape.ts";
export { attr, type AttrValue, type Attrs } from "./graph/attrs.ts";
export {
  f32,
  f64,
  i64,
  i32,
  bool,
  filled,
  elementCount,
  toNumbers,
  type HostTensor,
  type HostData,
} from "./graph/host-tensor.ts";
export { Rng } from "./rng.ts";

// Primitive ops
export { add } from "./ops/add.ts";
export { sub } from "./ops/sub.ts";
export { mul } from "./ops/mul.ts";
export { div } from "./ops/div.ts";
export { pow } from "./ops/pow.ts";
export { neg } from "./ops/neg.ts";
export { sqrt } from "./ops/sqrt.ts";
export { reciprocal } from "./ops/reciprocal.ts";
export { exp } from "./ops/exp.ts";
export { log } from "./ops/log.ts";
export { tanh } from "./ops/tanh.ts";
export { sigmoid } from "./ops/sigmoid.ts";
export { erf } from "./ops/erf.ts";
export { sin } from "./ops/sin.ts";
export { cos } from "./ops/cos.ts";
export { matmul } from "./ops/matmul.ts";
export { reduceSum } from "./ops/reduce-sum.ts";
export { reduceMean } from "./ops/reduce-mean.ts";
export { reduceMax } from "./ops/reduce-max.ts";
export { softmax } from "./ops/softmax.ts";
export { logSoftmax } from "./ops/log-softmax.ts";
export { softmaxCrossEntropy } from "./ops/softmax-cross-entropy.ts";
export { gather } from "./ops/gather.ts";
export { gatherElements } from "./ops/gather-elements.ts";
export { scatterND } from "./ops/scatter-nd.ts";
export { scatterElements } from "./ops/scatter-elements.ts";
export { reshape } from "./ops/reshape.ts";
export { transpose, transposeLast2 } from "./ops/transpose.ts";
export { slice, END } from "./ops/slice.ts";
export { pad } from "./ops/pad.ts";
export { concat } from "./ops/concat.ts";
export { split } from "./ops/split.ts";
export { unsqueeze } from "./ops/unsqueeze.ts";
export { squeeze } from "./ops/squeeze.ts";
export { expand } from "./ops/expand.ts";
export { where } from "./ops/where.ts";
export { cast } from "./ops/cast.ts";
export { equal, less, lessOrEqual, greater, greaterOrEqual, and, or, not } from "./ops/compare.ts";
export { identity, stopGradient } from "./ops/identity.ts";
export { constant } from "./ops/constant.ts";
export { constantOfShape, zerosLike } from "./ops/constant-of-shape.ts";
export { shape, shapeOf, dimOf } from "./ops/shape.ts";
export { size } from "./ops/size.ts";
export { range } from "./ops/range.ts";
export { OP_TABLE, lookupOp, registerOp, builders } from "./ops/registry.ts";
export { inputsOf, single, firstOnly, type OpDef, type GradRule, type Grads } from "./ops/op-def.ts";
export type { Builders } from "./ops/builders.ts";

// Autodiff
export { gradients, type GradientOptions } from "./autodiff/gradients.ts";

// Serialisation and runtime
export { encodeModel, IR_VERSION, DEFAULT_OPSET } from "./onnx/encode-model.ts";
export {
  EngineSession,
  type SessionConfig,
  type ExecutionProvider,
  type GraphOptimizationLevel,
} from "./runtime/ort-runtime.ts";
export {
  StepExecutor,
  addTrainingOutputs,
  type TrainOutputs,
  type StepResult,
  type StepExecutorOptions,
} from "./runtime/step-executor.ts";
export { saveModel } from "./onnx/save-model.ts";
export { lowerForWebGpu } from "./onnx/lower-for-webgpu.ts";
export {
  EXTERNAL_DATA_BYTES,
  loadGraph,
  needsExternalData,
  serialiseGraph,
  type LoadedGraph,
  type SerialisedGraph,
} from "./runtime/load-graph.ts";
export { placementFromProfile, profilePlacement, type GraphPlacement, type FallbackOp } from "./runtime/placement.ts";
export {
  describeWebGpuAdapter,
  tensorByteLimit,
  WEBGPU_SETUP_HINT,
  type WebGpuAdapterInfo,
  type WebGpuLimits,
} from "./runtime/webgpu-adapter.ts";
export { ensureExecutionProvider, ExecutionProviderUnavailableError } from "./runtime/ep-check.ts";
export { decodeModel, type DecodedModel } from "./onnx/decode-model.ts";

// Composites (built from primitives; gradients come from autodiff)
export { linear, loraLinear, type LoraWeights } from "./composites/linear.ts";
export { silu, swiglu, gelu } from "./composites/activations.ts";
export { dropout } from "./composites/dropout.ts";
export { rmsNorm } from "./composites/rms-norm.ts";
export { ropeInvFreq, ropeCosSin, ropeTables, rotateHalf, applyRope } from "./composites/rope.ts";
export { rotaryEmbedding } from "./ops/rotary-embedding.ts";
export { attention, causalMask, type AttentionOptions } from "./composites/attention.ts";
export { crossEntropy, type CrossEntropyOptions } from "./composites/cross-entropy.ts";
export { chunkedCrossEntropy } from "./composites/chunked-cross-entropy.ts";
export { chunkedKlDivergence } from "./composites/chunked-kl-divergence.ts";
export { klDivergence } from "./composites/kl-divergence.ts";
export { maskedReduce, type Reduction } from "./composites/masked-reduce.ts";

// Optimizers
export { AdamW, type AdamWConfig, type AdamWState } from "./optim/adamw.ts";
export { Sgd, type SgdConfig } from "./optim/sgd.ts";
export { clipGradNorm } from "./optim/clip.ts";
export { linearScheduleLr, type LinearScheduleConfig } from "./optim/schedule.ts";
