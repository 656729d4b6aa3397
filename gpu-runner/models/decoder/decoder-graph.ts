/**
 * The forward graph of Llama / Qwen2 / Mistral decoders, as transformers computes them in float32 with eager
 * attention: embeddings → L × (RMSNorm, GQA attention with RoPE, residual, RMSNorm, SwiGLU MLP, residual) →
 * final RMSNorm → lm_head. The adapted pass (LoRA, trainable weights, steering) and the reference pass
 * (adapter off; steered too when asked) share the frozen weights, the mask and the rotary tables in one graph.
 */
import {
  add,
  and,
  applyRope,
  attention,
  causalMask,
  dimOf,
  less,
  range,
  reshape,
  rmsNorm,
  ropeCosSin,
  ropeTables,
  rotaryEmbedding,
  sub,
  transpose,
  unsqueeze,
  type Graph,
  type Tensor,
} from "../../engine/index.ts";
import type { DecoderConfig } from "../config/decoder-config.ts";
import { ropeInverseFrequencies } from "../config/rope-config.ts";
import type { DecoderGraph, DecoderGraphOptions, RopeDtype } from "./decoder-options.ts";
import { projection, projectionGroup } from "./decoder-projections.ts";
import { mlp } from "./decoder-mlp.ts";
import { bindWeights, type LoraBinding, type PassWeights } from "./decoder-weights.ts";
import { embedTokens, headLogits, type VocabWeights } from "./decoder-vocab.ts";

/** Causal "may attend" mask [B, 1, T, T] with padding, narrowed to a sliding window when the model has one. */
export function decoderAttentionMask(attentionMask: Tensor, slidingWindow: number | null, queryIndex?: Tensor): Tensor {
  const causal = causalMask(attentionMask, queryIndex);
  if (slidingWindow === null) return causal;
  const keyIndex = range(0, dimOf(attentionMask, 1), 1, "int64", attentionMask.shape[1]); // [S]
  const q = queryIndex ?? keyIndex; // [T]
  // Mistral: key j is visible from query i when i − j < window.
  const inWindow = less(sub(unsqueeze(q, [1]), unsqueeze(keyIndex, [0])), slidingWindow); // [T, S]
  return and(causal, unsqueeze(inWindow, [0, 1]));
}

/** Rounds positive values to the nearest bf16 / f16 value (ties to even), as torch's cast does. */
export function roundTo(values: Float32Array, dtype: RopeDtype): Float32Array {
  if (dtype === "float32") return values;
  const [mantissaBits, minExponent] = dtype === "bfloat16" ? [7, -126] : [10, -14];
  return values.map((x) => {
    if (!(x > 0) || !Number.isFinite(x)) return x;
    let e = Math.floor(Math.log2(x));
    if (2 ** e > x)
      e -= 1; // log2 may round across a power of two
    else if (2 ** (e + 1) <= x) e += 1;
    const quantum = 2 ** (Math.max(e, minExponent) - mantissaBits);
    const q = x / quantum; // exact: quantum is a power of two
    const r = Math.round(q);
    return (Math.abs(q - Math.trunc(q)) === 0.5 && r % 2 !== 0 ? r - 1 : r) * quantum;
  });
}

interface PassContext {
  readonly cfg: DecoderConfig;
  readonly mask: Tensor; // [B, 1, T, T] bool
  /** Rotary embedding of q or k heads [B, n, T, D]. */
  readonly rope: (x: Tensor) => Tensor;
}

/**
 * Positions 0..T−1 (the default) use the fused contrib kernel with [T, D/2] tables; fed position ids may point
 * anywhere, so they keep the primitive form over per-token tables [B, T, D].
 */
function ropeFunction(inputIds: Tensor, positionIds: Tensor | undefined, invFreq: Float32Array): (x: Tensor) => Tensor {
  if (positionIds) {
    const { cos, sin } = ropeCosSin(positionIds, invFreq); // [B, T, D]
    return (x) => applyRope(x, cos, sin);
  }
  const { cos, sin } = ropeTables(dimOf(inputIds, 1), invFreq, "T"); // [T, D/2]
  const start = inputIds.graph.ints([0]); // token t uses row 0 + t
  return (x) => rotaryEmbedding(x, start, cos, sin);
}

interface Pass {
  readonly weights: PassWeights;
  readonly vocab: VocabWeights;
  readonly maxGroupColumns?: number;
  readonly lora?: ReadonlyMap<string, LoraBinding>;
  readonly steering?: { readonly layer: number; readonly vector: Tensor };
  readonly hidden: ReadonlySet<number>;
  readonly logits: boolean;
}

/** One decoder block: x [B, T, H] → [B, T, H]. */
function block(ctx: PassContext, pass: Pass, x: Tensor, layer: number): Tensor {
  const { cfg } = ctx;
  const w = (name: string) => pass.weights.get(`model.layers.${layer}.${name}.weight`)!;
  const heads = (t: Tensor, n: number) => transpose(reshape(t, [0, 0, n, cfg.headDim]), [0, 2, 1, 3]); // [B, n, T, D]
  const h = rmsNorm(x, w("input_layernorm"), cfg.rmsNormEps);
  const [qp, kp, vp] = projectionGroup(pass, h, layer, ["q_proj", "k_proj", "v_proj"]);
  const q = ctx.rope(heads(qp, cfg.numHeads));
  const k = ctx.rope(heads(kp, cfg.numKvHeads));
  const v = heads(vp, cfg.numKvHeads);
  const attn = attention(q, k, v, { mask: ctx.mask }); // [B, Hq, T, D]
  const merged = reshape(transpose(attn, [0, 2, 1, 3]), [0, 0, cfg.numHeads * cfg.headDim]); // [B, T, Hq·D]
  const x1 = add(x, projection(pass, merged, layer, "o_proj"));
  const h2 = rmsNorm(x1, w("post_attention_layernorm"), cfg.rmsNormEps);
  return add(x1, mlp(pass, h2, layer, pass.maxGroupColumns)); // activations [B, T, ≤ maxGroupColumns] each
}

/** Runs the blocks only as far as the requested outputs need. */
function forwardPass(
  ctx: PassContext,
  pass: Pass,
  inputIds: Tensor,
): { logits?: Tensor[]; hidden: Map<number, Tensor> } {
  const L = ctx.cfg.numLayers;
  const hidden = new Map<number, Tensor>();
  const deepest = pass.logits ? L : Math.max(-1, ...pass.hidden);
  if (deepest < 0) return { hidden };
  let x = embedTokens(pass.vocab.embed, inputIds); // [B, T, H]
  if (pass.hidden.has(0)) hidden.set(0, x);
  for (let layer = 0; layer < Math.min(deepest, L); layer++) {
    x = x.graph.scope(`layers.${layer}`, () => block(ctx, pass, x, layer));
    if (pass.steering?.layer === layer) x = add(x, pass.steering.vector);
    if (layer + 1 < L && pass.hidden.has(layer + 1)) hidden.set(layer + 1, x);
  }
  if (deepest < L) return { hidden };
  const normed = rmsNorm(x, pass.weights.get("model.norm.weight")!, ctx.cfg.rmsNormEps);
  if (pass.hidden.has(L)) hidden.set(L, normed); // HF: the last hidden state is taken after the final norm
  return { hidden, logits: pass.logits ? headLogits(normed, pass.vocab.head) : undefined }; // [B, T, rows_i]
}

function checkHiddenIndices(cfg: DecoderConfig, indices: readonly number[]): Set<number> {
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i > cfg.numLayers)
      throw new Error(`decoder graph: hidden state ${i} is outside 0..${cfg.numLayers}`);
  }
  return new Set(indices);
}

/** Emits the decoder into `g` (inputs `input_ids`, `attention_mask` [B, T]) and returns its tensors. */
export function buildDecoderGraph(g: Graph, cfg: DecoderConfig, opts: DecoderGraphOptions = {}): DecoderGraph {
  const reference = opts.reference;
  const needReference =
    reference !== undefined && (reference.logits === true || (reference.hiddenStates?.length ?? 0) > 0);
  if (
    opts.steeringLayer !== undefined &&
    !(Number.isInteger(opts.steeringLayer) && opts.steeringLayer >= 0 && opts.steeringLayer < cfg.numLayers)
  ) {
    throw new Error(`decoder graph: steering layer ${opts.steeringLayer} is outside 0..${cfg.numLayers - 1}`);
  }
  const inputIds = g.input("input_ids", "int64", ["B", "T"]);
  const attentionMask = g.input("attention_mask", "int64", ["B", "T"]);
  const positionIds = opts.positionIds === "input" ? g.input("position_ids", "int64", ["B", "T"]) : undefined;
  const steeringVector =
    opts.steeringLayer === undefined ? undefined : g.input("steering_vector", "float32", [cfg.hiddenSize]);
  const bound = bindWeights(g, cfg, opts, needReference);

  const invFreq = roundTo(
    ropeInverseFrequencies(cfg.headDim, cfg.ropeTheta, cfg.ropeScaling),
    opts.ropeDtype ?? "float32",
  );
  const ctx: PassContext = {
    cfg,
    mask: decoderAttentionMask(attentionMask, cfg.slidingWindow),
    rope: ropeFunction(inputIds, positionIds, invFreq),
  };
  const steering = steeringVector && { layer: opts.steeringLayer!, vector: steeringVector };
  if (opts.steerReference && !steering) throw new Error("decoder graph: steerReference needs a steering layer");

  const limit = opts.bufferLimit;
  const maxGroupColumns = limit && Math.floor(limit.bytes / (4 * limit.maxTokens)); // float32 [maxTokens, Σout]
  const theta = g.scope("theta", () =>
    forwardPass(
      ctx,
      {
        weights: bound.theta,
        vocab: bound.vocab.theta,
        maxGroupColumns,
        lora: bound.lora,
        steering,
        hidden: checkHiddenIndices(cfg, opts.hiddenStates ?? []),
        logits: opts.logits ?? true,
      },
      inputIds,
    ),
  );
  const ref = needReference
    ? g.scope("reference", () =>
        forwardPass(
          ctx,
          {
            weights: bound.reference,
            steering: opts.steerReference ? steering : undefined,
            vocab: bound.vocab.reference,
            maxGroupColumns,
            hidden: checkHiddenIndices(cfg, reference.hiddenStates ?? []),
            logits: reference.logits === true,
          },
          inputIds,
        ),
      )
    : undefined;

  return {
    config: cfg,
    inputIds,
    attentionMask,
    positionIds,
    steeringVector,
    dropoutMasks: bound.dropoutMasks,
    trainable: bound.trainable,
    weightInputs: bound.weightInputs,
    lora: opts.lora && { settings: opts.lora, targets: bound.loraTargets, scale: [...bound.lora.values()][0].scale },
    logits: theta.logits?.length === 1 ? theta.logits[0] : undefined,
    logitChunks: theta.logits,
    vocab: bound.vocab.theta,
    hidden: theta.hidden,
    reference: ref && {
      hidden: ref.hidden,
      logits: ref.logits?.length === 1 ? ref.logits[0] : undefined,
      logitChunks: ref.logits,
    },
  };
}
