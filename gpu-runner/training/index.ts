/** LoRA fine-tuning: batching, epoch plans, the optimisation loop, and exact-resume checkpoint state. */
export {
  collateBatch,
  packExamples,
  truncateExamples,
  type CollateOptions,
  type PaddedBatch,
  type TrainingExample,
  type TruncationResult,
} from "./training-batch.ts";
export {
  epochOrders,
  interleaveEvenly,
  planTraining,
  type DataSchedule,
  type EpochContext,
  type EpochPlan,
  type EpochPlanOptions,
  type TrainingPlan,
} from "./epoch-plan.ts";
export {
  CHECKPOINT_FORMAT,
  CheckpointFormatError,
  decodeTrainingCheckpoint,
  encodeTrainingCheckpoint,
  type TrainingCheckpoint,
} from "./checkpoint-state.ts";
export {
  runTrainingLoop,
  type GradientSource,
  type LoopOptions,
  type LoopResult,
  type MicroBatchResult,
  type OptimizerSettings,
  type StepReport,
} from "./training-loop.ts";
export {
  trainAdapter,
  type SteeringSettings,
  type TrainAdapterOptions,
  type TrainAdapterResult,
  type TrainingHooks,
  type TrainingHyperparameters,
} from "./train-adapter.ts";
