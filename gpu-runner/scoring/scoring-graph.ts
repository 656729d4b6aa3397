/**
 * The scoring graph: the decoder forward up to the final norm, then the LM head only at the positions
 * that predict a scored token (prompt and padding positions never reach the [·, V] projection, which is the
 * largest matmul of small models), and −log p of each scored token.
 *
 * Inputs: input_ids, attention_mask [B, T]; score_positions [N] (flat index b·T + t of the position whose
 * logits predict a scored token, i.e. one before it); score_targets [N] (the scored token ids); plus the
 * PEFT tensors when LoRA settings are given. Output: nll [N].
 */
import {
  Graph,
  gather,
  gatherElements,
  chunkedCrossEntropy,
  logSoftmax,
  neg,
  reshape,
  squeeze,
  unsqueeze,
} from "../engine/index.ts";
import type { DecoderConfig, F32Tensor, LoraSettings } from "../models/index.ts";
import { buildDecoderGraph, headLogits, type BufferLayout } from "../models/decoder/index.ts";

export interface ScoringGraph {
  readonly graph: Graph;
  /** PEFT names of the LoRA inputs (empty without LoRA). */
  readonly loraInputs: readonly string[];
}

/** Builds the scoring graph described above for a decoder (with LoRA inputs when `lora` is given). */
export function buildScoringGraph(
  config: DecoderConfig,
  weights: ReadonlyMap<string, F32Tensor>,
  lora?: LoraSettings,
  externalWeights = false,
  layout: BufferLayout = {},
): ScoringGraph {
  const g = new Graph("score");
  const L = config.numLayers;
  // scoring never drops out; hidden state L is taken after the final norm
  const decoder = buildDecoderGraph(g, config, {
    weights,
    weightStorage: externalWeights ? "external" : "initializer",
    lora: lora && { ...lora, dropout: 0 },
    logits: false,
    hiddenStates: [L],
    ...layout,
  });
  const positions = g.input("score_positions", "int64", ["N"]);
  const targets = g.input("score_targets", "int64", ["N"]);
  const flat = reshape(decoder.hidden.get(L)!, [-1, config.hiddenSize]); // [B·T, H]
  const logits = headLogits(gather(flat, positions, 0), decoder.vocab.head); // [N, rows_i]
  if (logits.length === 1) {
    const picked = gatherElements(logSoftmax(logits[0], -1), unsqueeze(targets, [-1]), -1); // [N, 1]
    g.output(neg(squeeze(picked, [-1])), "nll"); // [N]
  } else g.output(chunkedCrossEntropy(logits, targets, { reduction: "none" }), "nll"); // [N], never [N, V]
  return { graph: g, loraInputs: [...decoder.trainable.keys()] };
}
