/**
 * Everything a training run needs to continue exactly where it stopped: adapter tensors, AdamW moments and
 * step count, the data order and generator state, the position in the plan, and the losses so far. Stored
 * as one safetensors file: tensors as F32 (bit-exact), the rest as JSON in the header's metadata.
 */
import { decodeSafetensors, encodeSafetensors, f32Tensor, type F32Tensor } from "../models/index.ts";

export const CHECKPOINT_FORMAT = "guardtune.training-state.v1";
const STATE_KEY = "guardtune.training_state";

export interface TrainingCheckpoint {
  /** Optimizer steps completed; training continues with step `step` (0-based) of the plan. */
  readonly step: number;
  readonly totalSteps: number;
  /** PEFT tensor name → trained LoRA tensor. */
  readonly adapter: ReadonlyMap<string, F32Tensor>;
  readonly optimizer: {
    readonly step: number;
    readonly m: ReadonlyMap<string, F32Tensor>;
    readonly v: ReadonlyMap<string, F32Tensor>;
  };
  /** Each epoch's shuffled index order into the training set. */
  readonly epochOrders: readonly (readonly number[])[];
  /** Data generator state after the orders were drawn (the four sfc32 words of `Rng.state()`). */
  readonly rngState: readonly number[];
  /** State of the generator the gradient source draws from (dropout masks), at this step. */
  readonly sourceRngState: readonly number[];
  /** Loss of every completed optimizer step. */
  readonly losses: readonly number[];
  readonly trainedTokens: number;
  readonly elapsedMs: number;
  /** The hyperparameters the run started with; a resume with different ones is refused. */
  readonly fingerprint: string;
}

interface StateJson {
  format: string;
  step: number;
  totalSteps: number;
  optimizerStep: number;
  epochOrders: number[][];
  rngState: number[];
  sourceRngState: number[];
  losses: number[];
  trainedTokens: number;
  elapsedMs: number;
  fingerprint: string;
}

const prefixed = (prefix: string, tensors: ReadonlyMap<string, F32Tensor>): [string, F32Tensor][] =>
  [...tensors].map(([name, t]) => [`${prefix}${name}`, t]);

export function encodeTrainingCheckpoint(state: TrainingCheckpoint): Uint8Array {
  const json: StateJson = {
    format: CHECKPOINT_FORMAT,
    step: state.step,
    totalSteps: state.totalSteps,
    optimizerStep: state.optimizer.step,
    epochOrders: state.epochOrders.map((o) => [...o]),
    rngState: [...state.rngState],
    sourceRngState: [...state.sourceRngState],
    losses: [...state.losses],
    trainedTokens: state.trainedTokens,
    elapsedMs: state.elapsedMs,
    fingerprint: state.fingerprint,
  };
  const tensors = new Map<string, F32Tensor>([
    ...prefixed("adapter/", state.adapter),
    ...prefixed("adamw.m/", state.optimizer.m),
    ...prefixed("adamw.v/", state.optimizer.v),
  ]);
  return encodeSafetensors(tensors, { metadata: { format: "pt", [STATE_KEY]: JSON.stringify(json) } });
}

export class CheckpointFormatError extends Error {
  override readonly name = "CheckpointFormatError";
}

export function decodeTrainingCheckpoint(bytes: Uint8Array): TrainingCheckpoint {
  const { tensors, metadata } = decodeSafetensors(bytes);
  const raw = metadata[STATE_KEY];
  if (raw === undefined)
    throw new CheckpointFormatError("not a guardtune training checkpoint (no training state in the header)");
  const json = JSON.parse(raw) as StateJson;
  if (json.format !== CHECKPOINT_FORMAT)
    throw new CheckpointFormatError(`unsupported training checkpoint format '${json.format}'`);
  const groups = {
    adapter: new Map<string, F32Tensor>(),
    m: new Map<string, F32Tensor>(),
    v: new Map<string, F32Tensor>(),
  };
  for (const [name, t] of tensors) {
    // copy: decoded tensors may be views into the caller's buffer
    const owned = f32Tensor(t.shape, Float32Array.from(t.data));
    if (name.startsWith("adapter/")) groups.adapter.set(name.slice(8), owned);
    else if (name.startsWith("adamw.m/")) groups.m.set(name.slice(8), owned);
    else if (name.startsWith("adamw.v/")) groups.v.set(name.slice(8), owned);
    else throw new CheckpointFormatError(`unexpected tensor '${name}' in a training checkpoint`);
  }
  return {
    step: json.step,
    totalSteps: json.totalSteps,
    adapter: groups.adapter,
    optimizer: { step: json.optimizerStep, m: groups.m, v: groups.v },
    epochOrders: json.epochOrders,
    rngState: json.rngState,
    sourceRngState: json.sourceRngState,
    losses: json.losses,
    trainedTokens: json.trainedTokens,
    elapsedMs: json.elapsedMs,
    fingerprint: json.fingerprint,
  };
}
