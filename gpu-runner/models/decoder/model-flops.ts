/**
 * Model FLOPs per token of a decoder, counted from its config: the work the model needs, not what a kernel
 * happens to do, so that achieved FLOP/s over a MatMul peak (MFU) compares implementations fairly.
 *
 * The count, per token (a multiply-add is 2 FLOPs; T = tokens per sequence):
 * - a projection [out, in] costs 2·in·out forward; its input gradient costs the same again, and a trainable
 *   weight's gradient once more. Frozen base weights: forward + input gradient (4·in·out); with full-parameter
 *   training: 6·in·out.
 * - LoRA of rank r on a projection: x·Aᵀ (2·r·in) and ·Bᵀ (2·r·out) forward; backward the input gradients and
 *   the weight gradients of both, 3 × 2·r·(in + out) in all.
 * - attention per layer: scores Q·Kᵀ and the probabilities times V, 2·T·Hq·D each forward; backward twice the
 *   forward (dQ, dK for the scores; dP, dV for the values). Eager attention computes the full T × T square
 *   (masked half included), which is counted, as the kernel does it.
 * - LM head [V, H]: 2·H·V forward, plus the input gradient when training.
 * - elementwise work (norms, activations, softmax, RoPE) and embedding gathers are not counted (< 1 % of the
 *   FLOPs, and not MatMul-peak work).
 * The first block's q/k/v input gradient is counted although the graph prunes it (its input, the embedding,
 * is frozen): a dense-model convention, a fraction of a percent here.
 */
import type { DecoderConfig } from "../config/decoder-config.ts";
import { PROJECTIONS, projectionShape, projectionModulePath } from "../config/weight-catalogue.ts";
import { targetsModule, type LoraSettings } from "../lora/lora-settings.ts";

export interface FlopsBreakdown {
  /** Base projections (all layers). */
  readonly projections: number;
  readonly lora: number;
  readonly attention: number;
  readonly lmHead: number;
  readonly total: number;
}

export interface FlopsOptions {
  /** Tokens per sequence (attention context length). */
  readonly seqLen: number;
  /** LoRA adapters (trained when `mode` is "lora-train", applied in the forward otherwise). */
  readonly lora?: Pick<LoraSettings, "r" | "targetModules" | "layersToTransform">;
  /**
   * Fraction of the tokens at which the LM head runs: 1 for training (every position is scored), the answer
   * share of the sequence for the scoring graph, which projects only the scored positions.
   */
  readonly lmHeadFraction?: number;
}

export type FlopsMode = "forward" | "lora-train" | "full-train";

/** Model FLOPs per token of `cfg` under `mode` (see the file comment for what is counted). */
export function modelFlopsPerToken(cfg: DecoderConfig, mode: FlopsMode, opts: FlopsOptions): FlopsBreakdown {
  const passes = mode === "forward" ? 1 : mode === "lora-train" ? 2 : 3; // forward, + input grad, + weight grad
  let projections = 0;
  let lora = 0;
  for (let layer = 0; layer < cfg.numLayers; layer++) {
    for (const p of PROJECTIONS) {
      const { out, in: inp } = projectionShape(cfg, p);
      projections += passes * 2 * inp * out;
      const l = opts.lora;
      if (l && (l.layersToTransform === null || l.layersToTransform.includes(layer))) {
        const path = projectionModulePath(layer, p);
        if (targetsModule({ ...l, alpha: 1, useRslora: false, dropout: 0 }, path))
          lora += (mode === "forward" ? 1 : 3) * 2 * l.r * (inp + out);
      }
    }
  }
  const attnForward = 2 * (2 * opts.seqLen * cfg.numHeads * cfg.headDim); // scores + values
  const attention = cfg.numLayers * attnForward * (mode === "forward" ? 1 : 3);
  const headPasses = mode === "forward" ? 1 : mode === "lora-train" ? 2 : 3;
  const lmHead = headPasses * 2 * cfg.hiddenSize * cfg.vocabSize * (opts.lmHeadFraction ?? 1);
  return { projections, lora, attention, lmHead, total: projections + lora + attention + lmHead };
}
