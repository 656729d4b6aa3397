/**
 * Training objectives on top of the decoder graph: cross-entropy with HF's label shift, KL divergence to the
 * adapter-off reference model (either direction), and LDIFS feature distance to the reference hidden states,
 * combined as CE·w + Σ λ·term. Every term is differentiable with respect to the trainable inputs.
 */
import {
  add,
  cast,
  chunkedCrossEntropy,
  chunkedKlDivergence,
  concat,
  crossEntropy,
  div,
  END,
  equal,
  maskedReduce,
  mul,
  not,
  reduceMean,
  reduceSum,
  reshape,
  slice,
  sqrt,
  sub,
  unsqueeze,
  type Graph,
  type Tensor,
} from "../../engine/index.ts";
import type { DecoderConfig } from "../config/decoder-config.ts";
import { buildDecoderGraph } from "./decoder-graph.ts";
import type { DecoderGraph, DecoderGraphOptions } from "./decoder-options.ts";

export type KlDirection = "theta_ref" | "ref_theta";
/** "supervised": predicting positions of supervised labels (shifted); "all_non_pad": every non-pad position. */
export type KlPositions = "supervised" | "all_non_pad";

export interface KlTerm {
  readonly kind: "kl";
  readonly weight: number;
  /** theta_ref = KL(p_θ ‖ p_ref), ref_theta = KL(p_ref ‖ p_θ). */
  readonly direction: KlDirection;
  readonly positions: KlPositions;
}

/**
 * LDIFS distance between adapted and reference hidden states (HF `output_hidden_states` indices).
 * "token_mean": Σ over layers of the mean over non-pad tokens of ‖h_θ − h_ref‖².
 * "example": per example and layer, the non-pad hidden states flattened (and ℓ2-normalised when `normalize`);
 * the squared distances summed over layers (= distance of the concatenation), mean over the batch.
 */
export interface LdifsTerm {
  readonly kind: "ldifs";
  readonly weight: number;
  readonly hiddenStates: readonly number[];
  readonly reduction: "token_mean" | "example";
  readonly normalize?: boolean;
}

export type LossTerm = KlTerm | LdifsTerm;

export interface LossSpec {
  /** Weight of the cross-entropy in the total (default 1; with 0 it is still computed and reported). */
  readonly ceWeight?: number;
  readonly terms?: readonly LossTerm[];
}

export interface DecoderLossGraph {
  readonly decoder: DecoderGraph;
  /** [B, T] int64, aligned with input_ids (not shifted), −100 = unsupervised */
  readonly labels: Tensor;
  /** scalar: ceWeight·CE + Σ weight·term */
  readonly loss: Tensor;
  /** scalar: mean over every supervised token of the batch */
  readonly ce: Tensor;
  /** [B]: mean CE over each example's supervised tokens (NaN for an example without any) */
  readonly perExampleCe: Tensor;
  /** Each term's unweighted value by name (`kl_theta_ref`, `kl_ref_theta`, `ldifs`). */
  readonly terms: ReadonlyMap<string, Tensor>;
}

export function lossTermName(term: LossTerm): string {
  return term.kind === "kl" ? `kl_${term.direction}` : "ldifs";
}

/** Emits the decoder and the objective into `g`. `graph` options for reference and hidden states are derived. */
export function buildLossGraph(
  g: Graph,
  cfg: DecoderConfig,
  graph: DecoderGraphOptions,
  spec: LossSpec,
): DecoderLossGraph {
  const terms = spec.terms ?? [];
  const names = terms.map(lossTermName);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new Error(`loss: term ${dup} appears twice`);
  const ldifsLayers = [...new Set(terms.flatMap((t) => (t.kind === "ldifs" ? t.hiddenStates : [])))];
  const needKl = terms.some((t) => t.kind === "kl");
  const decoder = buildDecoderGraph(g, cfg, {
    ...graph,
    logits: true,
    hiddenStates: [...new Set([...(graph.hiddenStates ?? []), ...ldifsLayers])],
    reference: needKl || ldifsLayers.length > 0 ? { logits: needKl, hiddenStates: ldifsLayers } : undefined,
  });
  const labels = g.input("labels", "int64", ["B", "T"]);
  const chunks = decoder.logitChunks!; // [B, T, rows_i], the vocabulary in order
  // HF's shift (logits[:, :-1] against labels[:, 1:]) done on the labels: position t is scored against label
  // t + 1 and the last position against −100, which spares copying the [B, T, V] logits and their gradient.
  const ignoredColumn = sub(mul(slice(labels, [0], [1], [1]), 0), 100); // [B, 1] of −100
  const nextLabels = concat([slice(labels, [1], [END], [1]), ignoredColumn], 1); // [B, T]
  // One log-softmax over the vocabulary serves the batch mean and the per-example means.
  const perPosition =
    chunks.length === 1
      ? crossEntropy(chunks[0], nextLabels, { reduction: "none" }) // [B, T], 0 where ignored
      : chunkedCrossEntropy(chunks, nextLabels, { reduction: "none" }); // never forms [B, T, V]
  const supervised = not(equal(nextLabels, -100)); // [B, T]
  const counts = reduceSum(cast(supervised, "float32"), [1]); // [B]
  const perExampleSums = reduceSum(perPosition, [1]); // [B]
  const ce = div(reduceSum(perExampleSums), reduceSum(counts));
  const perExampleCe = div(perExampleSums, counts); // [B]

  const values = new Map<string, Tensor>();
  let total = spec.ceWeight === 0 ? undefined : mul(ce, spec.ceWeight ?? 1);
  for (const term of terms) {
    const value =
      term.kind === "kl"
        ? klTerm(term, chunks, decoder.reference!.logitChunks!, supervised, decoder.attentionMask)
        : ldifsTerm(term, decoder, decoder.attentionMask);
    values.set(lossTermName(term), value);
    const weighted = mul(value, term.weight);
    total = total === undefined ? weighted : add(total, weighted);
  }
  if (total === undefined) throw new Error("loss: the CE weight is 0 and there is no other term");
  return { decoder, labels, loss: total, ce, perExampleCe, terms: values };
}

/** KL per vocabulary chunk of both passes (the same row chunks): [B, T, V] is never formed. */
function klTerm(
  term: KlTerm,
  theta: readonly Tensor[],
  ref: readonly Tensor[],
  supervised: Tensor,
  attentionMask: Tensor,
): Tensor {
  const [p, q] = term.direction === "theta_ref" ? [theta, ref] : [ref, theta];
  return chunkedKlDivergence(p, q, term.positions === "supervised" ? supervised : attentionMask);
}

function ldifsTerm(term: LdifsTerm, decoder: DecoderGraph, attentionMask: Tensor): Tensor {
  if (term.hiddenStates.length === 0) throw new Error("loss: LDIFS needs at least one hidden state");
  const tokenMask = unsqueeze(cast(attentionMask, "float32"), [-1]); // [B, T, 1]
  let sum: Tensor | undefined;
  for (const layer of term.hiddenStates) {
    const h = decoder.hidden.get(layer)!; // [B, T, H]
    const r = decoder.reference!.hidden.get(layer)!;
    let d: Tensor;
    if (term.reduction === "token_mean") {
      const diff = sub(h, r);
      d = maskedReduce(reduceSum(mul(diff, diff), [-1]), attentionMask, "mean");
    } else {
      const flat = (x: Tensor) => {
        const f = reshape(mul(x, tokenMask), [0, -1]); // [B, T·H], padding zeroed
        return term.normalize === false ? f : div(f, sqrt(add(reduceSum(mul(f, f), [1], true), 1e-12)));
      };
      const diff = sub(flat(h), flat(r));
      d = reduceMean(reduceSum(mul(diff, diff), [1])); // mean over the batch
    }
    sum = sum === undefined ? d : add(sum, d);
  }
  return sum!;
}
