/**
 * What a decoder graph computes and how its weights enter the graph. The graph is built once per option
 * set; batch size B and sequence length T stay symbolic so one ORT session serves every batch shape.
 */
import type { Tensor } from "../../engine/index.ts";
import type { DecoderConfig } from "../config/decoder-config.ts";
import { projectionModulePath } from "../config/weight-catalogue.ts";
import type { F32Tensor } from "../io/f32-tensor.ts";
import type { LoraSettings, LoraTarget } from "../lora/lora-settings.ts";
import type { VocabWeights } from "./decoder-vocab.ts";

/**
 * How frozen base weights enter the graph: baked-in initializers (ORT may prepack them), initializers kept
 * as external data when the model is saved to a file (needed above 2 GB), or graph inputs fed every run.
 */
export type WeightStorage = "initializer" | "external" | "input";

export interface DecoderGraphOptions {
  /** Base weights by Hugging Face name; required unless every base weight is a graph input. */
  readonly weights?: ReadonlyMap<string, F32Tensor>;
  /** Default "initializer" when `weights` is given, else "input". */
  readonly weightStorage?: WeightStorage;
  /** LoRA on the targeted projections; its A/B matrices are graph inputs named by PEFT key. */
  readonly lora?: LoraSettings;
  /** Train every base weight (graph inputs named by HF key) instead of (or besides) LoRA. */
  readonly fullParams?: boolean;
  /** Emit logits of the adapted model (default true). */
  readonly logits?: boolean;
  /** HF `output_hidden_states` indices to expose: 0 = embeddings, l = output of block l−1, L = after the final norm. */
  readonly hiddenStates?: readonly number[];
  /** Also compute the reference model (adapter off; with full params: the frozen initial weights). */
  readonly reference?: { readonly logits?: boolean; readonly hiddenStates?: readonly number[] };
  /**
   * Adds the graph input `steering_vector` [H] to the residual stream at the output of this decoder block
   * (0-based), in the adapted pass (and in the reference pass with `steerReference`); feed zeros to switch it off.
   */
  readonly steeringLayer?: number;
  /**
   * Steer the reference pass too, so that KL and LDIFS measure what the adapter changed and not the steering
   * itself (with an untouched adapter the two passes are then identical and both terms are zero).
   */
  readonly steerReference?: boolean;
  /** "input": a `position_ids` [B, T] graph input (left padding, KV-cache prompts); default 0..T−1. */
  readonly positionIds?: "input" | "range";
  /**
   * The dtype transformers holds the rotary inverse frequencies in: a model loaded in its stored bf16/f16
   * dtype casts that buffer too, and the rounded frequencies stay even when it computes in float32
   * (see `ropeDtypeOf`). Default float32.
   */
  readonly ropeDtype?: RopeDtype;
  /**
   * Vocabulary rows per chunk of the embedding, the LM head and the logits; default: from `bufferLimit`, else
   * unchunked. The loss then never forms [B, T, V].
   */
  readonly vocabChunkRows?: number;
  /**
   * Keep every buffer within `bytes` (a WebGPU adapter's `maxStorageBufferBindingSize`) for batches of up to
   * `maxTokens` (B·T): the vocabulary is cut into row chunks and grouped projections are joined only while their
   * output fits. Tensors that grow with B·T alone (one MLP activation [B, T, I]) still bound the batch.
   */
  readonly bufferLimit?: { readonly bytes: number; readonly maxTokens: number };
}

/** How a graph keeps its buffers within a device's limits (see `vocabChunkRows`, `bufferLimit`). */
export type BufferLayout = Pick<DecoderGraphOptions, "vocabChunkRows" | "bufferLimit">;

export type RopeDtype = "float32" | "bfloat16" | "float16";

/** The tensors of a built decoder graph. */
export interface DecoderGraph {
  readonly config: DecoderConfig;
  /** [B, T] int64 */
  readonly inputIds: Tensor;
  /** [B, T] int64, 1 = token, 0 = padding */
  readonly attentionMask: Tensor;
  /** [B, T] int64 when fed as an input */
  readonly positionIds?: Tensor;
  /** [H] float32 when `steeringLayer` is set */
  readonly steeringVector?: Tensor;
  /** LoRA dropout keep-masks [B, T, in] by PEFT module name (`lora_dropout.<module>`), when dropout > 0. */
  readonly dropoutMasks: ReadonlyMap<string, Tensor>;
  /** Trainable graph inputs: PEFT key names for LoRA, HF names for full parameters. */
  readonly trainable: ReadonlyMap<string, Tensor>;
  /** Frozen base weights that are graph inputs (weightStorage "input"), by HF name. */
  readonly weightInputs: ReadonlyMap<string, Tensor>;
  /** The LoRA matrices' targets and scale, when LoRA is on. */
  readonly lora?: { readonly settings: LoraSettings; readonly targets: readonly LoraTarget[]; readonly scale: number };
  /** [B, T, V] of the adapted model when the vocabulary is not chunked (else see `logitChunks`) */
  readonly logits?: Tensor;
  /** The adapted pass's embedding and LM head (row chunks with `vocabChunkRows`). */
  readonly vocab: VocabWeights;
  /** The adapted model's logits as vocabulary chunks [B, T, rows_i] (one chunk when not chunked). */
  readonly logitChunks?: readonly Tensor[];
  /** [B, T, H] by HF hidden-state index */
  readonly hidden: ReadonlyMap<number, Tensor>;
  readonly reference?: {
    /** [B, T, V] when the vocabulary is not chunked */
    readonly logits?: Tensor;
    /** [B, T, rows_i], the same chunks as the adapted pass's `logitChunks` */
    readonly logitChunks?: readonly Tensor[];
    readonly hidden: ReadonlyMap<number, Tensor>;
  };
}

/** Graph input name of a LoRA dropout keep-mask for one projection. */
export function dropoutMaskName(target: LoraTarget): string {
  return `lora_dropout.${projectionModulePath(target.layer, target.projection)}`;
}
